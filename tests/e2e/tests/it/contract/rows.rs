//! Rows 1–4, 9, 11, 12 and the probes: the success shape and every documented error.

use reqwest::StatusCode;
use serde_json::json;

use super::{assert_error, assert_keys, send, sign_up_body};
use crate::support::Platform;

#[tokio::test]
async fn row1_sign_up_returns_201_with_the_user_and_no_hash() {
    let platform = Platform::from_env();
    let body = sign_up_body();
    let (status, created) = send(
        platform
            .http
            .post(platform.url("/api/auth/signup"))
            .json(&body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_keys(&created, &["message", "user"]);
    assert_keys(
        &created["user"],
        &[
            "id",
            "first_name",
            "last_name",
            "email",
            "city",
            "country",
            "created_at",
        ],
    );
    assert_eq!(created["user"]["email"], body["email"]);
    assert_eq!(created["user"]["city"], "Medellín");
}

#[tokio::test]
async fn row1_sign_up_errors_are_400_with_their_codes() {
    let platform = Platform::from_env();
    let taken = sign_up_body();
    let first = send(
        platform
            .http
            .post(platform.url("/api/auth/signup"))
            .json(&taken),
    )
    .await;
    assert_eq!(first.0, StatusCode::CREATED, "{}", first.1);
    let upper = taken["email"].as_str().expect("email").to_uppercase();

    let cases = [
        ("email", json!(upper), "duplicate_email"),
        ("email", json!("not-an-email"), "invalid_email"),
        ("password1", json!("weakpass"), "weak_password"),
        ("password2", json!("StrongPass124"), "passwords_mismatch"),
        ("city", json!(""), "missing_field"),
        ("country", json!("   "), "missing_field"),
        ("first_name", json!(""), "missing_field"),
    ];
    for (field, value, code) in cases {
        let mut body = sign_up_body();
        body[field] = value;
        if field == "password1" {
            body["password2"] = body["password1"].clone();
        }
        let answer = send(
            platform
                .http
                .post(platform.url("/api/auth/signup"))
                .json(&body),
        )
        .await;
        assert_error(&answer, StatusCode::BAD_REQUEST, code);
    }
}

#[tokio::test]
async fn row2_log_in_returns_a_bearer_token_and_one_message_for_every_refusal() {
    let platform = Platform::from_env();
    let body = sign_up_body();
    let created = send(
        platform
            .http
            .post(platform.url("/api/auth/signup"))
            .json(&body),
    )
    .await;
    assert_eq!(created.0, StatusCode::CREATED);
    let email = body["email"].as_str().expect("email");

    let ok = send(
        platform
            .http
            .post(platform.url("/api/auth/login"))
            .json(&json!({ "email": email.to_uppercase(), "password": "StrongPass123" })),
    )
    .await;
    assert_eq!(ok.0, StatusCode::OK, "{}", ok.1);
    assert_keys(&ok.1, &["access_token", "token_type", "expires_in"]);
    assert_eq!(ok.1["token_type"], "Bearer");
    assert_eq!(ok.1["expires_in"], 3600);
    assert_eq!(
        ok.1["access_token"].as_str().map(|t| t.split('.').count()),
        Some(3)
    );

    let wrong = send(
        platform
            .http
            .post(platform.url("/api/auth/login"))
            .json(&json!({ "email": email, "password": "WrongPass123" })),
    )
    .await;
    let unknown = send(
        platform
            .http
            .post(platform.url("/api/auth/login"))
            .json(&json!({ "email": format!("nobody.{email}"), "password": "StrongPass123" })),
    )
    .await;
    assert_error(&wrong, StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert_error(&unknown, StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert_eq!(
        wrong.1, unknown.1,
        "the refusals must not tell which part was wrong"
    );
}

#[tokio::test]
async fn row2_log_in_is_throttled_per_account_with_429_and_retry_after() {
    let platform = Platform::from_env();
    let body = sign_up_body();
    let created = send(
        platform
            .http
            .post(platform.url("/api/auth/signup"))
            .json(&body),
    )
    .await;
    assert_eq!(created.0, StatusCode::CREATED);
    let attempt = json!({ "email": body["email"], "password": "WrongPass123" });

    // The account allows 5 failures per window by default; the limit is far below 20.
    for _ in 0..20 {
        let response = platform
            .http
            .post(platform.url("/api/auth/login"))
            .json(&attempt)
            .send()
            .await
            .expect("the gateway answers");
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            let retry_after = response.headers().get("retry-after").cloned();
            let body: serde_json::Value = response.json().await.expect("JSON");
            assert_error(
                &(StatusCode::TOO_MANY_REQUESTS, body),
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
            );
            let seconds: u64 = retry_after
                .and_then(|value| value.to_str().ok()?.parse().ok())
                .expect("a numeric Retry-After");
            assert!((1..=900).contains(&seconds), "Retry-After {seconds}");
            return;
        }
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    panic!("20 failed log-ins on one account were never throttled");
}

#[tokio::test]
async fn rows3_and_4_profile_then_logout_revokes_the_token() {
    let platform = Platform::from_env();
    let player = platform.sign_up_and_log_in().await.expect("player");
    let profile = send(
        platform
            .http
            .get(platform.url("/api/auth/profile"))
            .bearer_auth(&player.token),
    )
    .await;
    assert_eq!(profile.0, StatusCode::OK, "{}", profile.1);
    for field in ["id", "first_name", "last_name", "email", "city", "country"] {
        assert!(profile.1[field].is_string(), "{field}: {}", profile.1);
    }
    assert_eq!(profile.1["first_name"], "Camila");

    let out = send(
        platform
            .http
            .post(platform.url("/api/auth/logout"))
            .bearer_auth(&player.token),
    )
    .await;
    assert_eq!(out.0, StatusCode::OK, "{}", out.1);
    assert_keys(&out.1, &["message"]);

    let again = send(
        platform
            .http
            .get(platform.url("/api/auth/profile"))
            .bearer_auth(&player.token),
    )
    .await;
    assert_error(&again, StatusCode::UNAUTHORIZED, "token_revoked");
    let twice = send(
        platform
            .http
            .post(platform.url("/api/auth/logout"))
            .bearer_auth(&player.token),
    )
    .await;
    assert_error(&twice, StatusCode::UNAUTHORIZED, "token_revoked");
}

#[tokio::test]
async fn every_authenticated_row_answers_401_missing_token_without_a_token() {
    let platform = Platform::from_env();
    let id = uuid::Uuid::new_v4();
    let requests = [
        platform.http.post(platform.url("/api/auth/logout")),
        platform.http.get(platform.url("/api/auth/profile")),
        platform.http.post(platform.url("/api/videos/upload")),
        platform.http.get(platform.url("/api/videos")),
        platform
            .http
            .get(platform.url(&format!("/api/videos/{id}"))),
        platform
            .http
            .delete(platform.url(&format!("/api/videos/{id}"))),
        platform
            .http
            .post(platform.url(&format!("/api/videos/{id}/publish"))),
        platform
            .http
            .post(platform.url(&format!("/api/public/videos/{id}/vote"))),
        platform.http.get(platform.url("/api/user/votes")),
    ];
    for request in requests {
        assert_error(
            &send(request).await,
            StatusCode::UNAUTHORIZED,
            "missing_token",
        );
    }
}

#[tokio::test]
async fn rows9_and_11_public_lists_page_and_refuse_bad_parameters() {
    let platform = Platform::from_env();
    for path in ["/api/public/videos", "/api/public/rankings"] {
        let page = send(
            platform
                .http
                .get(platform.url(&format!("{path}?limit=1&offset=0&city=Nowhere"))),
        )
        .await;
        assert_eq!(page, (StatusCode::OK, json!([])), "{path}");
        for query in [
            "limit=0",
            "limit=101",
            "limit=ten",
            "offset=-1",
            "offset=x",
            "limit=1&limit=2",
        ] {
            let answer = send(platform.http.get(platform.url(&format!("{path}?{query}")))).await;
            assert_error(&answer, StatusCode::BAD_REQUEST, "invalid_parameter");
        }
    }
}

#[tokio::test]
async fn row12_a_new_player_has_voted_for_nothing() {
    let platform = Platform::from_env();
    let player = platform.sign_up_and_log_in().await.expect("player");
    let mine = send(
        platform
            .http
            .get(platform.url("/api/user/votes"))
            .bearer_auth(&player.token),
    )
    .await;
    assert_eq!(mine, (StatusCode::OK, json!([])));
}

#[tokio::test]
async fn probes_unknown_routes_and_wrong_methods_answer_in_the_error_shape() {
    let platform = Platform::from_env();
    let health = send(platform.http.get(platform.url("/health"))).await;
    assert_eq!(health, (StatusCode::OK, json!({ "status": "ok" })));
    super::assert_ready(&platform).await;
    let unknown = send(platform.http.get(platform.url("/api/nothing-here"))).await;
    assert_error(&unknown, StatusCode::NOT_FOUND, "route_not_found");
    let wrong = send(platform.http.put(platform.url("/api/videos"))).await;
    assert_error(&wrong, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}
