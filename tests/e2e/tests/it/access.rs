use std::time::Duration;

use anb_media::fixtures::{ClipSpec, write_clip};
use reqwest::StatusCode;

use crate::support::Platform;

#[tokio::test]
async fn players_see_only_their_own_videos_and_bad_tokens_are_refused() {
    let platform = Platform::from_env();
    let owner = platform.sign_up_and_log_in().await.expect("owner");
    let other = platform.sign_up_and_log_in().await.expect("other player");
    let folder = tempfile::tempdir().expect("temp dir");
    let clip = folder.path().join("crossover.mp4");
    write_clip(
        &clip,
        &ClipSpec {
            width: 1080,
            height: 1920,
            seconds: 21.0,
            fps: 30,
            with_audio: false,
        },
    )
    .expect("fixture clip");
    let (status, created) = platform
        .upload(&owner.token, &clip, "Crossover")
        .await
        .expect("upload");
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let video_id = created["video_id"].as_str().expect("video_id");
    let detail = format!("/api/videos/{video_id}");

    let (status, body) = platform
        .get_json(Some(&other.token), &detail)
        .await
        .expect("detail");
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(body["code"].as_str().is_some(), "{body}");

    let (status, list) = platform
        .get_json(Some(&other.token), "/api/videos")
        .await
        .expect("list");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list, serde_json::json!([]));

    let (status, body) = platform.get_json(None, &detail).await.expect("no token");
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["code"], "missing_token");

    let tampered = tamper_signature(&owner.token);
    let (status, body) = platform
        .get_json(Some(&tampered), &detail)
        .await
        .expect("tampered");
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["code"], "bad_signature");

    let (status, _) = platform
        .get_json(Some(&owner.token), &detail)
        .await
        .expect("owner detail");
    assert_eq!(status, StatusCode::OK);
    let unknown = format!("/api/videos/{}", uuid::Uuid::new_v4());
    let (status, body) = platform
        .get_json(Some(&owner.token), &unknown)
        .await
        .expect("unknown");
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = platform
        .get_json(Some(&owner.token), "/api/videos/not-a-uuid")
        .await
        .expect("bad id");
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The owner's processing must not be disturbed by the refused requests.
    platform
        .wait_until_processed(&owner.token, video_id, Duration::from_secs(300))
        .await
        .expect("processing finishes");
}

/// Flips one character in the middle of the signature, keeping it valid base64url.
fn tamper_signature(token: &str) -> String {
    let (head, signature) = token.rsplit_once('.').expect("a JWS has three parts");
    let mut chars: Vec<char> = signature.chars().collect();
    let middle = chars.len() / 2;
    chars[middle] = if chars[middle] == 'A' { 'B' } else { 'A' };
    format!("{head}.{}", chars.into_iter().collect::<String>())
}
