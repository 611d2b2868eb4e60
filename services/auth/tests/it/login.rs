use anb_grpc::reason_of;
use anb_identity::{Claims, TokenVerifier};
use anb_proto::auth::v1::LogInRequest;
use tonic::Code;

use crate::harness::{PASSWORD, start_fresh, unique_email};

#[tokio::test]
async fn log_in_returns_a_bearer_token_that_other_services_accept_for_the_user() {
    let mut auth = start_fresh().await;
    let email = unique_email();
    let user = auth.sign_up(&email).await;

    let response = auth
        .client
        .log_in(LogInRequest {
            email: email.clone(),
            password: PASSWORD.to_owned(),
        })
        .await
        .expect("log-in succeeds")
        .into_inner();

    assert_eq!(response.token_type, "Bearer");
    assert_eq!(response.expires_in, 3600);
    let verifier = TokenVerifier::from_auth(auth.channel.clone());
    let identity = verifier
        .verify(&response.access_token)
        .await
        .expect("token verifies");
    assert_eq!(identity.user_id.to_string(), user.user_id);
    let claims: Claims = jsonwebtoken::dangerous::insecure_decode(&response.access_token)
        .expect("token decodes")
        .claims;
    assert_eq!(claims.exp - claims.iat, 3600);
    assert_eq!(identity.expires_at, claims.exp);
    auth.finish().await;
}

#[tokio::test]
async fn log_in_matches_the_email_in_any_case() {
    let mut auth = start_fresh().await;
    let user = auth.sign_up("Mixed.Case@Example.com").await;

    let token = auth
        .log_in("  mixed.CASE@example.COM ", PASSWORD)
        .await
        .expect("log-in succeeds");

    let verifier = TokenVerifier::from_auth(auth.channel.clone());
    let identity = verifier.verify(&token).await.expect("token verifies");
    assert_eq!(identity.user_id.to_string(), user.user_id);
    auth.finish().await;
}

#[tokio::test]
async fn wrong_password_and_unknown_email_are_refused_alike() {
    let mut auth = start_fresh().await;
    let email = unique_email();
    auth.sign_up(&email).await;

    let wrong_password = auth
        .log_in(&email, "StrongPass124")
        .await
        .expect_err("refused");
    let unknown_email = auth
        .log_in(&unique_email(), PASSWORD)
        .await
        .expect_err("refused");
    let empty = auth.log_in("", "").await.expect_err("refused");

    for status in [&wrong_password, &unknown_email, &empty] {
        assert_eq!(status.code(), Code::Unauthenticated);
        assert_eq!(status.message(), "invalid email or password");
        assert_eq!(reason_of(status), Some("invalid_credentials"));
    }
    auth.finish().await;
}
