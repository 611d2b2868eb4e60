use anb_grpc::reason_of;
use anb_identity::{TokenError, TokenVerifier};
use anb_proto::auth::v1::{GetProfileRequest, LogOutRequest};
use tonic::Code;

use crate::harness::{PASSWORD, start_fresh, unique_email, with_bearer};

fn refusal(status: &tonic::Status) -> (Code, Option<&str>) {
    (status.code(), reason_of(status))
}

#[tokio::test]
async fn a_logged_out_token_is_refused_by_profile_and_by_a_second_log_out() {
    let mut auth = start_fresh().await;
    let email = unique_email();
    auth.sign_up(&email).await;
    let token = auth.log_in(&email, PASSWORD).await.expect("log-in");

    let logged_out = auth
        .client
        .log_out(with_bearer(LogOutRequest {}, &token))
        .await;
    let profile = auth
        .client
        .get_profile(with_bearer(GetProfileRequest {}, &token))
        .await
        .expect_err("revoked token refused");
    let again = auth
        .client
        .log_out(with_bearer(LogOutRequest {}, &token))
        .await
        .expect_err("second log-out refused");

    assert!(logged_out.is_ok(), "{logged_out:?}");
    assert_eq!(
        refusal(&profile),
        (Code::Unauthenticated, Some("token_revoked"))
    );
    assert_eq!(
        refusal(&again),
        (Code::Unauthenticated, Some("token_revoked"))
    );
    auth.finish().await;
}

#[tokio::test]
async fn log_out_revokes_only_the_presented_token() {
    let mut auth = start_fresh().await;
    let email = unique_email();
    let user = auth.sign_up(&email).await;
    let phone = auth.log_in(&email, PASSWORD).await.expect("first log-in");
    let laptop = auth.log_in(&email, PASSWORD).await.expect("second log-in");

    auth.client
        .log_out(with_bearer(LogOutRequest {}, &phone))
        .await
        .expect("log-out");
    let profile = auth
        .client
        .get_profile(with_bearer(GetProfileRequest {}, &laptop))
        .await
        .expect("the other token still works")
        .into_inner();

    assert_eq!(profile.user_id, user.user_id);
    auth.finish().await;
}

#[tokio::test]
async fn other_services_verifiers_refuse_the_token_once_logged_out() {
    let mut auth = start_fresh().await;
    let email = unique_email();
    auth.sign_up(&email).await;
    let token = auth.log_in(&email, PASSWORD).await.expect("log-in");
    let prefix = auth.key_prefix().to_owned();
    let verifier = TokenVerifier::from_auth(auth.channel.clone())
        .with_revocations(auth.redis.clone(), &prefix);
    let before = verifier.verify(&token).await;

    auth.client
        .log_out(with_bearer(LogOutRequest {}, &token))
        .await
        .expect("log-out");
    let after = verifier.verify(&token).await;

    assert!(before.is_ok());
    assert_eq!(after, Err(TokenError::Revoked));
    auth.finish().await;
}

#[tokio::test]
async fn log_out_without_a_token_is_unauthenticated() {
    let mut auth = start_fresh().await;

    let status = auth
        .client
        .log_out(LogOutRequest {})
        .await
        .expect_err("refused");

    assert_eq!(
        refusal(&status),
        (Code::Unauthenticated, Some("missing_token"))
    );
    auth.finish().await;
}
