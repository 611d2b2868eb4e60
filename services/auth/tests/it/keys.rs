use anb_identity::TokenVerifier;
use anb_proto::auth::v1::{GetProfileRequest, GetPublicKeysRequest};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::harness::{PASSWORD, start, start_fresh, unique_email, with_bearer};

#[tokio::test]
async fn public_keys_name_the_key_in_the_token_header() {
    let mut auth = start_fresh().await;
    let email = unique_email();
    auth.sign_up(&email).await;
    let token = auth
        .log_in(&email, PASSWORD)
        .await
        .expect("log-in succeeds");

    let keys = auth
        .client
        .get_public_keys(GetPublicKeysRequest {})
        .await
        .expect("keys");

    let keys = keys.into_inner().keys;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].algorithm, "EdDSA");
    assert_eq!(
        URL_SAFE_NO_PAD.decode(&keys[0].x).map(|raw| raw.len()),
        Ok(32)
    );
    let header = jsonwebtoken::decode_header(&token).expect("token header decodes");
    assert_eq!(header.alg, jsonwebtoken::Algorithm::EdDSA);
    assert_eq!(header.kid.as_deref(), Some(keys[0].kid.as_str()));
    auth.finish().await;
}

#[tokio::test]
async fn signing_key_survives_a_restart() {
    let mut first = start_fresh().await;
    let email = unique_email();
    let user = first.sign_up(&email).await;
    let token = first
        .log_in(&email, PASSWORD)
        .await
        .expect("log-in succeeds");
    let kid_before = first
        .client
        .get_public_keys(GetPublicKeysRequest {})
        .await
        .expect("keys");
    let setup = first.stop().await;

    let mut second = start(setup).await;
    let kid_after = second
        .client
        .get_public_keys(GetPublicKeysRequest {})
        .await
        .expect("keys");
    let profile = second
        .client
        .get_profile(with_bearer(GetProfileRequest {}, &token))
        .await;

    assert_eq!(kid_before.into_inner(), kid_after.into_inner());
    assert_eq!(
        profile.expect("the old token still works").into_inner(),
        user
    );
    let verifier = TokenVerifier::from_auth(second.channel.clone());
    assert!(verifier.verify(&token).await.is_ok());
    second.finish().await;
}
