//! A known password, access token and media URL signature travel through the whole mesh;
//! none of them may appear in any service's log.

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::support::{Platform, write_valid_clip};

fn all_logs(platform: &Platform) -> Vec<(String, String)> {
    let folder = platform.state_dir().join("logs");
    let logs: Vec<_> = std::fs::read_dir(&folder)
        .expect("up writes logs under the state folder")
        .map(|entry| entry.expect("a readable folder entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "log"))
        .map(|path| {
            let text = String::from_utf8_lossy(&std::fs::read(&path).expect("a readable log"))
                .into_owned();
            (path.display().to_string(), text)
        })
        .collect();
    assert!(logs.len() >= 5, "expected a log per service in {folder:?}");
    logs
}

#[tokio::test]
async fn passwords_tokens_and_media_signatures_never_reach_the_logs() {
    let platform = Platform::from_env();
    let password = format!("Pw{}", Uuid::new_v4().simple());
    let email = format!("secret-{}@example.com", Uuid::new_v4().simple());
    let signup = json!({
        "first_name": "Sara", "last_name": "Secreta", "email": email,
        "password1": password, "password2": password,
        "city": "Bogotá", "country": "Colombia",
    });
    let (status, body) = platform
        .post_json(None, "/api/auth/signup", &signup)
        .await
        .expect("signup answered");
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let login = json!({ "email": email, "password": password });
    let (status, body) = platform
        .post_json(None, "/api/auth/login", &login)
        .await
        .expect("login answered");
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["access_token"].as_str().expect("a token").to_owned();
    let (status, _) = platform
        .get_json(Some(&token), "/api/auth/profile")
        .await
        .expect("profile answered");
    assert_eq!(status, StatusCode::OK);

    // A signed media URL, fetched once so the gateway logs the request.
    let folder = tempfile::tempdir().expect("temp dir");
    let clip = folder.path().join("secret.mp4");
    write_valid_clip(&clip);
    let (status, created) = platform
        .upload(&token, &clip, "Secreto")
        .await
        .expect("upload answered");
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let video_id = created["video_id"].as_str().expect("video_id");
    let (status, video) = platform
        .get_json(Some(&token), &format!("/api/videos/{video_id}"))
        .await
        .expect("detail answered");
    assert_eq!(status, StatusCode::OK, "{video}");
    let original = video["original_url"]
        .as_str()
        .expect("a signed original URL");
    let signature = original
        .split(['?', '&'])
        .find_map(|pair| pair.strip_prefix("sig="))
        .expect("signed URLs carry sig");
    let response = platform
        .http
        .get(platform.url(original))
        .header("range", "bytes=0-15")
        .send()
        .await
        .expect("media answered");
    assert!(response.status().is_success(), "{}", response.status());
    // The token's signature part alone must not leak either.
    let token_signature = token.rsplit('.').next().expect("a JWT has three parts");

    for (path, text) in all_logs(&platform) {
        assert!(!text.contains(&password), "{path} holds the password");
        assert!(!text.contains(&token), "{path} holds the access token");
        assert!(
            !text.contains(token_signature),
            "{path} holds the token signature"
        );
        assert!(
            !text.contains(signature),
            "{path} holds a media URL signature"
        );
        assert!(!text.contains(&email), "{path} holds the email address");
    }
}
