use axum::http::StatusCode;
use serde_json::json;
use tonic::Code;

use crate::harness::Gateway;

fn sign_up_body(email: &str) -> serde_json::Value {
    json!({
        "first_name": "Ana",
        "last_name": "Pérez",
        "email": email,
        "password1": "StrongPass123",
        "password2": "StrongPass123",
        "city": "Bogotá",
        "country": "Colombia",
    })
}

#[tokio::test]
async fn sign_up_answers_201_with_the_user_and_no_password_material() {
    let gateway = Gateway::start().await;

    let reply = gateway
        .post_json("/api/auth/signup", sign_up_body("ana@example.com"))
        .await;

    assert_eq!(reply.status, StatusCode::CREATED);
    let body = reply.json();
    assert!(body["message"].is_string());
    assert_eq!(
        body["user"],
        json!({
            "id": "8d7f0f5e-4c1b-4f3e-9a55-1f2e3d4c5b6a",
            "first_name": "Ana",
            "last_name": "Pérez",
            "email": "ana@example.com",
            "city": "Bogotá",
            "country": "Colombia",
            "created_at": "2026-12-04T10:00:00Z",
        })
    );
    assert!(!String::from_utf8_lossy(&reply.body).contains("StrongPass123"));
}

#[tokio::test]
async fn log_in_answers_200_with_a_bearer_token() {
    let gateway = Gateway::start().await;

    let reply = gateway
        .post_json(
            "/api/auth/login",
            json!({"email": "ana@example.com", "password": "x"}),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        json!({"access_token": "header.claims.signature", "token_type": "Bearer", "expires_in": 3600})
    );
}

#[tokio::test]
async fn every_grpc_code_maps_to_its_http_status_and_default_code() {
    let gateway = Gateway::start().await;
    let table = [
        (
            Code::InvalidArgument,
            StatusCode::BAD_REQUEST,
            "invalid_argument",
        ),
        (
            Code::FailedPrecondition,
            StatusCode::BAD_REQUEST,
            "failed_precondition",
        ),
        (
            Code::AlreadyExists,
            StatusCode::BAD_REQUEST,
            "already_exists",
        ),
        (
            Code::Unauthenticated,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        ),
        (
            Code::PermissionDenied,
            StatusCode::FORBIDDEN,
            "permission_denied",
        ),
        (Code::NotFound, StatusCode::NOT_FOUND, "not_found"),
        (Code::OutOfRange, StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
        (
            Code::ResourceExhausted,
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
        ),
        (
            Code::Unavailable,
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
        ),
        (
            Code::DeadlineExceeded,
            StatusCode::GATEWAY_TIMEOUT,
            "deadline_exceeded",
        ),
        (
            Code::Internal,
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
        ),
        (Code::Unknown, StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        (
            Code::Unimplemented,
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
        ),
        (
            Code::DataLoss,
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
        ),
    ];

    for (grpc, http, code) in table {
        let email = format!("fail-{}@test", grpc as i32);
        let reply = gateway
            .post_json("/api/auth/login", json!({"email": email, "password": "x"}))
            .await;

        assert_eq!(reply.error_code(), (http, code.to_owned()), "{grpc:?}");
    }
}

#[tokio::test]
async fn a_service_reason_becomes_the_code_and_client_errors_keep_their_message() {
    let gateway = Gateway::start().await;
    let email = format!("reason-{}@test", Code::AlreadyExists as i32);

    let reply = gateway
        .post_json("/api/auth/signup", sign_up_body(&email))
        .await;

    assert_eq!(
        reply.error_code(),
        (StatusCode::BAD_REQUEST, "custom_reason".to_owned())
    );
    assert_eq!(reply.json()["error"], "scripted 6");
}

#[tokio::test]
async fn internal_errors_never_show_the_service_message() {
    let gateway = Gateway::start().await;
    let email = format!("reason-{}@test", Code::Internal as i32);

    let reply = gateway
        .post_json("/api/auth/login", json!({"email": email, "password": "x"}))
        .await;

    assert_eq!(
        reply.json(),
        json!({"error": "internal error", "code": "internal"})
    );
}

#[tokio::test]
async fn an_unreachable_service_is_a_503_not_a_500() {
    let gateway =
        Gateway::start_with(|config| config.auth_url = "http://127.0.0.1:9".to_owned()).await;

    let reply = gateway
        .post_json(
            "/api/auth/login",
            json!({"email": "ana@example.com", "password": "x"}),
        )
        .await;

    assert_eq!(
        reply.error_code(),
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable".to_owned())
    );
    assert_eq!(reply.json()["error"], "service temporarily unavailable");
}
