//! Session rows of the contract (DESIGN §3 rows 2–4): profile, log-out with revocation
//! everywhere, and log-in throttling.

use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::Platform;

const PASSWORD: &str = "StrongPass123";

/// Signs up a fresh player; returns the email and the `user` of the answer.
async fn sign_up(platform: &Platform) -> (String, Value) {
    let email = format!("session-{}@example.com", Uuid::new_v4().simple());
    let body = json!({
        "first_name": "Lucía", "last_name": "Gómez", "email": email,
        "password1": PASSWORD, "password2": PASSWORD,
        "city": "Medellín", "country": "Colombia",
    });
    let (status, created) = platform
        .post_json(None, "/api/auth/signup", &body)
        .await
        .expect("sign-up answers");
    assert_eq!(status, StatusCode::CREATED, "{created}");
    (email, created["user"].clone())
}

async fn log_in(platform: &Platform, email: &str, password: &str) -> reqwest::Response {
    platform
        .http
        .post(platform.url("/api/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("log-in answers")
}

#[tokio::test]
async fn a_logged_out_token_is_refused_on_profile_and_on_videos() {
    let platform = Platform::from_env();
    let (email, user) = sign_up(&platform).await;
    let answer: Value = log_in(&platform, &email, PASSWORD)
        .await
        .json()
        .await
        .expect("token JSON");
    let token = answer["access_token"].as_str().expect("access_token");

    let (status, profile) = platform
        .get_json(Some(token), "/api/auth/profile")
        .await
        .expect("profile");
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(
        profile,
        json!({
            "id": user["id"], "first_name": "Lucía", "last_name": "Gómez", "email": email,
            "city": "Medellín", "country": "Colombia", "created_at": user["created_at"],
        })
    );

    let (status, logged_out) = platform
        .post_json(Some(token), "/api/auth/logout", &Value::Null)
        .await
        .expect("logout");
    assert_eq!(status, StatusCode::OK, "{logged_out}");
    assert!(logged_out["message"].is_string());

    for path in ["/api/auth/profile", "/api/videos"] {
        let (status, body) = platform.get_json(Some(token), path).await.expect(path);
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {body}");
        assert_eq!(body["code"], "token_revoked", "{path}");
        assert!(body["error"].is_string());
    }
    // Voting, checked by both the gateway and votes, refuses it the same way.
    let vote_path = "/api/public/videos/4f0c2a8e-5a4b-4c1e-9b7d-2f6a1c3e5d70/vote";
    let (status, vote) = platform
        .post_json(Some(token), vote_path, &Value::Null)
        .await
        .expect("vote with a revoked token");
    assert_eq!(
        (status, &vote["code"]),
        (StatusCode::UNAUTHORIZED, &json!("token_revoked"))
    );
    let (status, again) = platform
        .post_json(Some(token), "/api/auth/logout", &Value::Null)
        .await
        .expect("second logout");
    assert_eq!(
        (status, &again["code"]),
        (StatusCode::UNAUTHORIZED, &json!("token_revoked"))
    );
}

#[tokio::test]
async fn six_wrong_passwords_are_throttled_and_the_right_one_is_refused_too() {
    let platform = Platform::from_env();
    let (email, _) = sign_up(&platform).await;

    for attempt in 1..=5 {
        let status = log_in(&platform, &email, "WrongPass999").await.status();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let sixth = log_in(&platform, &email, "WrongPass999").await;
    let right = log_in(&platform, &email, PASSWORD).await;

    for response in [sixth, right] {
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .expect("Retry-After in seconds");
        assert!((1..=900).contains(&wait), "Retry-After {wait}");
        let body: Value = response.json().await.expect("error JSON");
        assert_eq!(body["code"], "too_many_attempts");
        assert!(body["error"].is_string());
    }
}
