//! Log-out, profile and log-in throttling (DESIGN §3 rows 2–4) through the gateway.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use serde_json::json;

use crate::harness::{Gateway, USER_ID};

fn post_with_bearer(uri: &str, bearer: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::AUTHORIZATION, bearer)
        .body(Body::empty())
        .expect("valid request")
}

#[tokio::test]
async fn profile_answers_200_with_exactly_the_documented_fields() {
    let gateway = Gateway::start().await;

    let reply = gateway.get("/api/auth/profile").await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        json!({
            "id": USER_ID,
            "first_name": "Ana",
            "last_name": "Pérez",
            "email": "ana@example.com",
            "city": "Bogotá",
            "country": "Colombia",
            "created_at": "2026-12-04T10:00:00Z",
        })
    );
}

#[tokio::test]
async fn logout_answers_200_with_a_message_and_forwards_the_token() {
    let gateway = Gateway::start().await;
    let bearer = gateway.bearer();

    let reply = gateway
        .send(post_with_bearer("/api/auth/logout", &bearer))
        .await;

    assert_eq!(reply.status, StatusCode::OK);
    // The fake auth refuses a log-out without the forwarded `authorization`.
    assert!(reply.json()["message"].is_string());
}

#[tokio::test]
async fn logout_and_profile_without_a_valid_token_are_401() {
    let gateway = Gateway::start().await;
    let expired = format!("Bearer {}", gateway.keys.token(-60));

    let anonymous = gateway
        .send(
            Request::post("/api/auth/logout")
                .body(Body::empty())
                .expect("valid request"),
        )
        .await;
    let expired = gateway
        .send(
            Request::get("/api/auth/profile")
                .header(header::AUTHORIZATION, expired)
                .body(Body::empty())
                .expect("valid request"),
        )
        .await;

    assert_eq!(
        anonymous.error_code(),
        (StatusCode::UNAUTHORIZED, "missing_token".to_owned())
    );
    assert_eq!(
        expired.error_code(),
        (StatusCode::UNAUTHORIZED, "token_expired".to_owned())
    );
}

#[tokio::test]
async fn throttled_log_in_is_429_with_retry_after_seconds() {
    let gateway = Gateway::start().await;

    let reply = gateway
        .post_json(
            "/api/auth/login",
            json!({"email": "throttled@test", "password": "x"}),
        )
        .await;

    assert_eq!(
        reply.error_code(),
        (
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts".to_owned()
        )
    );
    assert_eq!(
        reply.headers.get(header::RETRY_AFTER).map(|v| v.as_bytes()),
        Some(&b"120"[..])
    );
}

#[tokio::test]
async fn log_in_forwards_the_connection_address_to_auth() {
    let gateway = Gateway::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("loopback port");
    let address = listener.local_addr().expect("bound address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(anb_gateway::run(gateway.app(), listener, async {
        let _ = stopped.await;
    }));

    let reply = reqwest::Client::new()
        .post(format!("http://{address}/api/auth/login"))
        .header("x-forwarded-for", "203.0.113.9")
        .json(&json!({"email": "echo-ip@test", "password": "x"}))
        .send()
        .await
        .expect("gateway answers");
    let status = reply.status();
    let body: serde_json::Value = reply.json().await.expect("JSON body");
    let _ = stop.send(());
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), server).await;

    // The fake auth echoes the forwarded address as the error message; a forwarded-for
    // header written by the client is not believed.
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "127.0.0.1");
}
