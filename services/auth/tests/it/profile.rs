use anb_grpc::reason_of;
use anb_identity::{AUDIENCE, Claims, ISSUER};
use anb_proto::auth::v1::{GetProfileRequest, GetPublicKeysRequest};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use tonic::Code;

use crate::harness::{PASSWORD, Running, start_fresh, unique_email, with_bearer};

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn claims(sub: &str, iat: i64, exp: i64) -> Claims {
    Claims {
        sub: sub.to_owned(),
        jti: uuid::Uuid::new_v4().to_string(),
        iat,
        nbf: iat,
        exp,
        iss: ISSUER.to_owned(),
        aud: AUDIENCE.to_owned(),
    }
}

fn sign(key: &ed25519_dalek::SigningKey, kid: &str, claims: &Claims) -> String {
    let der = key.to_pkcs8_der().expect("key encodes");
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_ed_der(der.as_bytes()))
        .expect("token signs")
}

/// The service's own signing key, read from its key file as an operator could.
fn service_key(key_file: &std::path::Path) -> ed25519_dalek::SigningKey {
    let pem = std::fs::read_to_string(key_file).expect("key file readable");
    ed25519_dalek::SigningKey::from_pkcs8_pem(&pem).expect("key file holds an Ed25519 key")
}

async fn published_kid(auth: &mut Running) -> String {
    let keys = auth
        .client
        .get_public_keys(GetPublicKeysRequest {})
        .await
        .expect("keys");
    keys.into_inner().keys.remove(0).kid
}

async fn profile_refusal(auth: &mut Running, token: &str) -> (Code, Option<String>) {
    let status = auth
        .client
        .get_profile(with_bearer(GetProfileRequest {}, token))
        .await
        .expect_err("the token is refused");
    (status.code(), reason_of(&status).map(str::to_owned))
}

fn unauthenticated(reason: &str) -> (Code, Option<String>) {
    (Code::Unauthenticated, Some(reason.to_owned()))
}

#[tokio::test]
async fn get_profile_returns_the_callers_own_account() {
    let mut auth = start_fresh().await;
    let email = unique_email();
    let user = auth.sign_up(&email).await;
    auth.sign_up(&unique_email()).await;
    let token = auth
        .log_in(&email, PASSWORD)
        .await
        .expect("log-in succeeds");

    let profile = auth
        .client
        .get_profile(with_bearer(GetProfileRequest {}, &token))
        .await;

    assert_eq!(profile.expect("profile returned").into_inner(), user);
    auth.finish().await;
}

#[tokio::test]
async fn get_profile_without_a_token_is_unauthenticated() {
    let mut auth = start_fresh().await;

    let status = auth
        .client
        .get_profile(GetProfileRequest {})
        .await
        .expect_err("refused");

    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(reason_of(&status), Some("missing_token"));
    auth.finish().await;
}

#[tokio::test]
async fn tampered_tokens_are_unauthenticated() {
    let mut auth = start_fresh().await;
    let email = unique_email();
    auth.sign_up(&email).await;
    let victim = auth.sign_up(&unique_email()).await;
    let token = auth
        .log_in(&email, PASSWORD)
        .await
        .expect("log-in succeeds");
    let parts: Vec<&str> = token.split('.').collect();
    let mut forged_claims: Claims = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(parts[1])
            .expect("payload is base64url"),
    )
    .expect("payload is the claims");
    forged_claims.sub = victim.user_id;
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged_claims).expect("json"));
    let swapped_subject = format!("{}.{payload}.{}", parts[0], parts[2]);
    let flipped = if parts[2].starts_with('A') { "B" } else { "A" };
    let broken_signature = format!("{}.{}.{flipped}{}", parts[0], parts[1], &parts[2][1..]);

    assert_eq!(
        profile_refusal(&mut auth, &swapped_subject).await,
        unauthenticated("bad_signature")
    );
    assert_eq!(
        profile_refusal(&mut auth, &broken_signature).await,
        unauthenticated("bad_signature")
    );
    assert_eq!(
        profile_refusal(&mut auth, "not.a.token").await,
        unauthenticated("malformed_token")
    );
    auth.finish().await;
}

#[tokio::test]
async fn tokens_signed_by_another_ed25519_key_are_unauthenticated() {
    let mut auth = start_fresh().await;
    let user = auth.sign_up(&unique_email()).await;
    let kid = published_kid(&mut auth).await;
    let stranger = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let claims = claims(&user.user_id, now(), now() + 600);

    let posing_as_ours = sign(&stranger, &kid, &claims);
    let own_kid = sign(&stranger, "attacker-key", &claims);

    assert_eq!(
        profile_refusal(&mut auth, &posing_as_ours).await,
        unauthenticated("bad_signature")
    );
    assert_eq!(
        profile_refusal(&mut auth, &own_kid).await,
        unauthenticated("unknown_key")
    );
    auth.finish().await;
}

#[tokio::test]
async fn unsigned_alg_none_tokens_are_unauthenticated() {
    let mut auth = start_fresh().await;
    let user = auth.sign_up(&unique_email()).await;
    let kid = published_kid(&mut auth).await;
    let header = serde_json::json!({ "alg": "none", "typ": "JWT", "kid": kid });
    let claims = claims(&user.user_id, now(), now() + 600);
    let encode = |value: &serde_json::Value| URL_SAFE_NO_PAD.encode(value.to_string());
    let claims_json = serde_json::to_value(&claims).expect("claims serialize");

    let unsigned = format!("{}.{}.", encode(&header), encode(&claims_json));

    assert_eq!(
        profile_refusal(&mut auth, &unsigned).await,
        unauthenticated("malformed_token")
    );
    auth.finish().await;
}

#[tokio::test]
async fn expired_tokens_and_foreign_audiences_are_unauthenticated() {
    let mut auth = start_fresh().await;
    let user = auth.sign_up(&unique_email()).await;
    let kid = published_kid(&mut auth).await;
    let key = service_key(auth.key_file());
    let mut other_audience = claims(&user.user_id, now(), now() + 600);
    other_audience.aud = "someone-else".to_owned();

    let expired = sign(
        &key,
        &kid,
        &claims(&user.user_id, now() - 7200, now() - 3600),
    );
    let foreign = sign(&key, &kid, &other_audience);
    let valid = sign(&key, &kid, &claims(&user.user_id, now(), now() + 600));

    assert_eq!(
        profile_refusal(&mut auth, &expired).await,
        unauthenticated("token_expired")
    );
    assert_eq!(
        profile_refusal(&mut auth, &foreign).await,
        unauthenticated("invalid_claims")
    );
    let profile = auth
        .client
        .get_profile(with_bearer(GetProfileRequest {}, &valid))
        .await;
    assert_eq!(
        profile
            .expect("a token signed by the service's key works")
            .into_inner(),
        user
    );
    auth.finish().await;
}
