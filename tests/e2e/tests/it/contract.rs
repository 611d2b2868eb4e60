//! The REST contract of DESIGN §3 checked exactly: one test per row and per documented
//! error, then hostile input of every kind, each answered with the documented 4xx and the
//! `{"error","code"}` body, never a 5xx.

mod hostile;
mod hostile_upload;
mod rows;
mod rows_videos;
mod tokens;

use reqwest::{RequestBuilder, StatusCode};
use serde_json::Value;

use crate::support::Platform;

/// Sends `request` and returns the status with the JSON body; fails on a non-JSON body,
/// since every answer of the API is JSON.
async fn send(request: RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("the gateway answers");
    let status = response.status();
    let text = response.text().await.expect("a readable body");
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|err| panic!("{status}: body is not JSON ({err}): {text:?}"));
    (status, body)
}

/// Asserts the one error shape: exactly `error` (a non-empty message) and `code`.
#[track_caller]
fn assert_error(answer: &(StatusCode, Value), status: StatusCode, code: &str) {
    let (got, body) = answer;
    assert_eq!(*got, status, "{body}");
    let fields = body.as_object().expect("an error body is an object");
    let mut keys: Vec<&str> = fields.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["code", "error"], "{body}");
    assert!(
        body["error"].as_str().is_some_and(|m| !m.trim().is_empty()),
        "{body}"
    );
    assert_eq!(body["code"], code, "{body}");
}

/// Asserts that an object has exactly `expected` keys.
#[track_caller]
fn assert_keys(value: &Value, expected: &[&str]) {
    let fields = value.as_object().expect("an object");
    let mut keys: Vec<&str> = fields.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut expected = expected.to_vec();
    expected.sort_unstable();
    assert_eq!(keys, expected, "{value}");
}

/// The platform is still healthy: `/ready` answers 200 `{"status":"ready"}`.
async fn assert_ready(platform: &Platform) {
    // A fresh connection: the gateway may have closed a pooled one after refusing a body.
    let answer = send(reqwest::Client::new().get(platform.url("/ready"))).await;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.1);
    assert_eq!(answer.1, serde_json::json!({ "status": "ready" }));
}

/// A sign-up body with every field valid and a fresh email.
fn sign_up_body() -> Value {
    serde_json::json!({
        "first_name": "Lucía", "last_name": "Pérez",
        "email": format!("contract-{}@example.com", uuid::Uuid::new_v4().simple()),
        "password1": "StrongPass123", "password2": "StrongPass123",
        "city": "Medellín", "country": "Colombia",
    })
}
