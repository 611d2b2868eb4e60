//! Hostile JSON, query strings, paths and headers: each gets its documented 4xx.

use reqwest::StatusCode;
use serde_json::json;

use super::{assert_error, assert_ready, send, sign_up_body};
use crate::support::Platform;

/// SQL metacharacters and other hostile text, none of which may reach a query unescaped.
const NASTY: [&str; 4] = [
    "'; DROP TABLE users; --",
    "\" OR \"1\"=\"1",
    "%' UNION SELECT password_hash FROM users --",
    "Robert\\'); --",
];

#[tokio::test]
async fn malformed_and_mistyped_json_is_refused_with_400_or_415() {
    let platform = Platform::from_env();
    let signup = platform.url("/api/auth/signup");
    let login = platform.url("/api/auth/login");
    let raw = |url: &str, body: &'static str| {
        platform
            .http
            .post(url)
            .header("content-type", "application/json")
            .body(body)
    };
    let cases = [
        (
            raw(&signup, "{\"first_name\": "),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            raw(&signup, "{bad json}"),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (raw(&signup, ""), StatusCode::BAD_REQUEST, "invalid_json"),
        (
            raw(&login, "[1, 2, 3]"),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            raw(&login, "{\"email\": 5, \"password\": true}"),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (raw(&login, "null"), StatusCode::BAD_REQUEST, "invalid_body"),
        (
            raw(&signup, "{\"first_name\": {\"$ne\": null}}"),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            platform
                .http
                .post(&login)
                .header("content-type", "text/plain")
                .body("{}"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            platform.http.post(&login).body("email=a&password=b"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            platform
                .http
                .post(&signup)
                .header("content-type", "application/json")
                .body(vec![b' '; 200 * 1024]),
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
    ];
    for (request, status, code) in cases {
        assert_error(&send(request).await, status, code);
    }
    assert_ready(&platform).await;
}

#[tokio::test]
async fn sql_metacharacters_in_every_sign_up_field_are_plain_text_or_a_400() {
    let platform = Platform::from_env();
    for field in ["first_name", "last_name", "city", "country"] {
        let mut body = sign_up_body();
        body[field] = json!(NASTY[0]);
        let (status, created) = send(
            platform
                .http
                .post(platform.url("/api/auth/signup"))
                .json(&body),
        )
        .await;
        // Stored verbatim (never interpreted) is the right answer for names and places.
        assert_eq!(status, StatusCode::CREATED, "{field}: {created}");
        assert_eq!(created["user"][field], NASTY[0]);
    }
    for nasty in NASTY {
        let mut body = sign_up_body();
        body["email"] = json!(format!("{nasty}@example.com"));
        let answer = send(
            platform
                .http
                .post(platform.url("/api/auth/signup"))
                .json(&body),
        )
        .await;
        assert_error(&answer, StatusCode::BAD_REQUEST, "invalid_email");
        let login = json!({ "email": nasty, "password": nasty });
        let answer = send(
            platform
                .http
                .post(platform.url("/api/auth/login"))
                .json(&login),
        )
        .await;
        assert_error(&answer, StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    let mut body = sign_up_body();
    body["first_name"] = json!("Ana\u{0}");
    let answer = send(
        platform
            .http
            .post(platform.url("/api/auth/signup"))
            .json(&body),
    )
    .await;
    assert_error(&answer, StatusCode::BAD_REQUEST, "invalid_characters");
    let login = json!({ "email": "a\u{0}@example.com", "password": "StrongPass123" });
    let answer = send(
        platform
            .http
            .post(platform.url("/api/auth/login"))
            .json(&login),
    )
    .await;
    assert_error(&answer, StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert_ready(&platform).await;
}

#[tokio::test]
async fn hostile_query_strings_and_paths_get_400_or_404() {
    let platform = Platform::from_env();
    for path in ["/api/public/videos", "/api/public/rankings"] {
        for nasty in NASTY {
            let request = platform
                .http
                .get(platform.url(path))
                .query(&[("city", nasty)]);
            assert_eq!(
                send(request).await,
                (StatusCode::OK, json!([])),
                "{path} {nasty}"
            );
        }
        for query in [
            "city=%00",
            "city=Ca%07li",
            &format!("city={}", "x".repeat(500)),
            "limit=99999999999999999999",
            "offset=1e3",
        ] {
            let answer = send(platform.http.get(platform.url(&format!("{path}?{query}")))).await;
            assert_error(&answer, StatusCode::BAD_REQUEST, "invalid_parameter");
        }
    }
    let player = platform.sign_up_and_log_in().await.expect("player");
    for id in [
        "..%2F..%2Fetc%2Fpasswd",
        "1%20OR%201=1",
        "%27%3B--",
        "00000000-0000-0000-0000-00000000000g",
    ] {
        let answer = send(
            platform
                .http
                .get(platform.url(&format!("/api/videos/{id}")))
                .bearer_auth(&player.token),
        )
        .await;
        assert_error(&answer, StatusCode::NOT_FOUND, "video_not_found");
    }
    let media = [
        "/media/originals/..%2F..%2Fsecrets%2Fmedia_url_secret?expires=9999999999&sig=x",
        "/media/secrets/auth_signing_key.pem",
    ];
    for path in media {
        let answer = send(platform.http.get(platform.url(path))).await;
        assert_eq!(answer.0, StatusCode::NOT_FOUND, "{path}: {}", answer.1);
    }
    assert_ready(&platform).await;
}

#[tokio::test]
async fn huge_headers_are_refused_and_the_gateway_stays_healthy() {
    let platform = Platform::from_env();
    // hyper answers an oversized head itself, before any handler: status only, no body.
    let response = platform
        .http
        .get(platform.url("/api/public/rankings"))
        .header("x-padding", "a".repeat(1024 * 1024))
        .send()
        .await
        .expect("the gateway answers");
    assert_eq!(
        response.status(),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
    );
    let many = (0..200).fold(
        platform.http.get(platform.url("/api/public/rankings")),
        |r, i| r.header(format!("x-h{i}"), "v"),
    );
    let response = many.send().await.expect("the gateway answers");
    assert_eq!(
        response.status(),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
    );
    assert_ready(&platform).await;
}

#[tokio::test]
async fn a_client_trickling_its_headers_is_cut_off_and_others_are_served() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    let platform = Platform::from_env();
    let address = platform
        .base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let mut socket = tokio::net::TcpStream::connect(&address)
        .await
        .expect("the gateway accepts connections");
    socket
        .write_all(b"GET /health HTTP/1.1\r\nHost: anb\r\nX-Slow: ")
        .await
        .expect("partial headers sent");

    // While that client dawdles, everyone else is served.
    assert_ready(&platform).await;
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        socket.read_to_end(&mut rest),
    )
    .await;

    assert!(
        closed.is_ok(),
        "the connection was still open after 30 s of unfinished headers"
    );
    let answer = String::from_utf8_lossy(&rest);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "a half-sent request got an answer: {answer:?}"
    );
    assert_ready(&platform).await;
}
