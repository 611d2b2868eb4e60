use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use serde_json::json;

use crate::harness::Gateway;

fn post_raw(uri: &str, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, content_type)
        .body(body.into())
        .expect("valid request")
}

#[tokio::test]
async fn health_is_always_ok() {
    let gateway =
        Gateway::start_with(|config| config.votes_url = "http://127.0.0.1:9".to_owned()).await;

    let reply = gateway.get("/health").await;

    assert_eq!(
        (reply.status, reply.json()),
        (StatusCode::OK, json!({"status": "ok"}))
    );
}

#[tokio::test]
async fn ready_when_every_service_reports_serving() {
    let gateway = Gateway::start().await;

    let reply = gateway.get("/ready").await;

    assert_eq!(
        (reply.status, reply.json()),
        (StatusCode::OK, json!({"status": "ready"}))
    );
}

#[tokio::test]
async fn not_ready_lists_the_services_that_do_not_answer() {
    let gateway = Gateway::start_with(|config| {
        config.votes_url = "http://127.0.0.1:9".to_owned();
        config.transcoder_url = "http://127.0.0.1:9".to_owned();
    })
    .await;

    let reply = gateway.get("/ready").await;

    assert_eq!(
        reply.error_code(),
        (StatusCode::SERVICE_UNAVAILABLE, "not_ready".to_owned())
    );
    assert_eq!(reply.json()["failed"], json!(["votes", "transcoder"]));
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods_answer_json() {
    let gateway = Gateway::start().await;

    let unknown = gateway.get("/api/nothing-here").await;
    let wrong_method = gateway
        .send(post_raw("/api/videos", "application/json", "{}"))
        .await;

    assert_eq!(
        unknown.error_code(),
        (StatusCode::NOT_FOUND, "route_not_found".to_owned())
    );
    assert_eq!(
        wrong_method.error_code(),
        (
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed".to_owned()
        )
    );
}

#[tokio::test]
async fn malformed_json_is_a_400_with_a_json_body() {
    let gateway = Gateway::start().await;

    let syntax = gateway
        .send(post_raw(
            "/api/auth/login",
            "application/json",
            "{\"email\":",
        ))
        .await;
    let types = gateway
        .send(post_raw(
            "/api/auth/login",
            "application/json",
            "{\"email\": 5}",
        ))
        .await;

    assert_eq!(
        syntax.error_code(),
        (StatusCode::BAD_REQUEST, "invalid_json".to_owned())
    );
    assert_eq!(
        types.error_code(),
        (StatusCode::BAD_REQUEST, "invalid_body".to_owned())
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_415() {
    let gateway = Gateway::start().await;

    let reply = gateway
        .send(post_raw("/api/auth/login", "text/plain", "email=a"))
        .await;

    assert_eq!(
        reply.error_code(),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type".to_owned()
        )
    );
}

#[tokio::test]
async fn an_oversized_json_body_is_a_413() {
    let gateway = Gateway::start().await;
    let padding = "x".repeat(100 * 1024);

    let reply = gateway
        .post_json(
            "/api/auth/login",
            json!({"email": "a@example.com", "password": padding}),
        )
        .await;

    assert_eq!(
        reply.error_code(),
        (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large".to_owned())
    );
}

#[tokio::test]
async fn a_slow_service_is_cut_off_at_the_request_timeout() {
    let gateway = Gateway::start_with(|config| config.request_timeout_secs = 1).await;

    let reply = gateway
        .post_json(
            "/api/auth/login",
            json!({"email": "slow@test", "password": "x"}),
        )
        .await;

    assert_eq!(
        reply.error_code(),
        (StatusCode::GATEWAY_TIMEOUT, "timeout".to_owned())
    );
}

#[tokio::test]
async fn protected_routes_refuse_a_missing_token_with_401_json() {
    let gateway = Gateway::start().await;
    let request = Request::get("/api/videos")
        .body(Body::empty())
        .expect("valid request");

    let reply = gateway.send(request).await;

    assert_eq!(
        reply.error_code(),
        (StatusCode::UNAUTHORIZED, "missing_token".to_owned())
    );
    assert_eq!(reply.headers[header::WWW_AUTHENTICATE], "Bearer");
    assert!(
        gateway.forwarded_authorization().is_empty(),
        "nothing reached videos"
    );
}

#[tokio::test]
async fn expired_and_forged_tokens_are_refused_with_their_reason() {
    let gateway = Gateway::start().await;
    let expired = format!("Bearer {}", gateway.keys.token(-60));
    let mut forged = gateway.keys.token(3600);
    forged.replace_range(forged.len() - 4.., "AAAA");

    let expired = gateway.send(get_with("/api/videos", &expired)).await;
    let forged = gateway
        .send(get_with("/api/videos", &format!("Bearer {forged}")))
        .await;
    let basic = gateway
        .send(get_with("/api/videos", "Basic dXNlcjpwYXNz"))
        .await;

    assert_eq!(
        expired.error_code(),
        (StatusCode::UNAUTHORIZED, "token_expired".to_owned())
    );
    assert_eq!(
        forged.error_code(),
        (StatusCode::UNAUTHORIZED, "bad_signature".to_owned())
    );
    assert_eq!(
        basic.error_code(),
        (StatusCode::UNAUTHORIZED, "missing_token".to_owned())
    );
}

fn get_with(uri: &str, authorization: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::AUTHORIZATION, authorization)
        .body(Body::empty())
        .expect("valid request")
}
