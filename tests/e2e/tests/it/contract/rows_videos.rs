//! Rows 5–8, 10 and publish: the success shape and every documented error.

use std::{path::Path, time::Duration};

use anb_media::fixtures::{ClipSpec, write_clip};
use reqwest::{StatusCode, multipart};
use serde_json::{Value, json};

use super::{assert_error, assert_keys, send};
use crate::support::Platform;

const DETAIL_KEYS: [&str; 10] = [
    "video_id",
    "title",
    "status",
    "is_public",
    "uploaded_at",
    "processed_at",
    "original_url",
    "processed_url",
    "poster_url",
    "votes",
];

fn clip(path: &Path, width: u32, height: u32, seconds: f64) {
    let spec = ClipSpec {
        width,
        height,
        seconds,
        fps: 10,
        with_audio: false,
    };
    write_clip(path, &spec).expect("fixture clip");
}

/// Uploads `bytes` as `video_file` with `title`.
async fn upload_bytes(
    platform: &Platform,
    token: &str,
    bytes: Vec<u8>,
    title: &str,
) -> (StatusCode, Value) {
    let part = multipart::Part::bytes(bytes)
        .file_name("clip.mp4")
        .mime_str("video/mp4")
        .expect("mime");
    let form = multipart::Form::new()
        .text("title", title.to_owned())
        .part("video_file", part);
    send(
        platform
            .http
            .post(platform.url("/api/videos/upload"))
            .bearer_auth(token)
            .multipart(form),
    )
    .await
}

#[tokio::test]
async fn row5_upload_refuses_bad_files_by_content_with_400() {
    let platform = Platform::from_env();
    let player = platform.sign_up_and_log_in().await.expect("player");
    let folder = tempfile::tempdir().expect("temp dir");
    let short = folder.path().join("short.mp4");
    clip(&short, 1080, 1920, 5.0);
    let small = folder.path().join("small.mp4");
    clip(&small, 360, 640, 21.0);
    let short = std::fs::read(&short).expect("short clip");
    let small = std::fs::read(&small).expect("small clip");
    let truncated = short[..short.len() / 2].to_vec();

    let cases = [
        (short.clone(), "invalid_duration"),
        (small, "resolution_too_low"),
        (truncated, "unreadable_video"),
        (b"GIF89a not a video at all".to_vec(), "not_mp4"),
    ];
    for (bytes, code) in cases {
        let answer = upload_bytes(&platform, &player.token, bytes, "Bad clip").await;
        assert_error(&answer, StatusCode::BAD_REQUEST, code);
    }
    let no_title = upload_bytes(&platform, &player.token, short.clone(), "  ").await;
    assert_error(&no_title, StatusCode::BAD_REQUEST, "missing_title");
    let form = multipart::Form::new().text("title", "No file");
    let no_file = send(
        platform
            .http
            .post(platform.url("/api/videos/upload"))
            .bearer_auth(&player.token)
            .multipart(form),
    )
    .await;
    assert_error(&no_file, StatusCode::BAD_REQUEST, "missing_file");
    let list = send(
        platform
            .http
            .get(platform.url("/api/videos"))
            .bearer_auth(&player.token),
    )
    .await;
    assert_eq!(
        list,
        (StatusCode::OK, json!([])),
        "a refused upload leaves no video"
    );
}

/// Rows 5–8, 10 and publish on one processed video, from upload to the refused delete.
#[tokio::test]
async fn rows5_to_10_a_video_from_upload_to_publication_and_votes() {
    let platform = Platform::from_env();
    let owner = platform.sign_up_and_log_in().await.expect("owner");
    let other = platform.sign_up_and_log_in().await.expect("other");
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("ok.mp4");
    clip(&path, 1080, 1920, 21.0);

    let (status, created) = platform
        .upload(&owner.token, &path, "Contract clip")
        .await
        .expect("upload");
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_keys(&created, &["message", "task_id", "video_id"]);
    let id = created["video_id"].as_str().expect("video_id").to_owned();
    let detail_path = format!("/api/videos/{id}");

    let list = send(
        platform
            .http
            .get(platform.url("/api/videos"))
            .bearer_auth(&owner.token),
    )
    .await;
    assert_eq!(list.0, StatusCode::OK);
    assert_keys(
        &list.1[0],
        &[
            "video_id",
            "title",
            "status",
            "is_public",
            "uploaded_at",
            "processed_at",
            "processed_url",
        ],
    );
    assert_eq!(
        (&list.1[0]["video_id"], &list.1[0]["is_public"]),
        (&json!(id), &json!(false))
    );

    let not_owner = send(
        platform
            .http
            .get(platform.url(&detail_path))
            .bearer_auth(&other.token),
    )
    .await;
    assert_error(&not_owner, StatusCode::FORBIDDEN, "not_owner");
    let delete_other = send(
        platform
            .http
            .delete(platform.url(&detail_path))
            .bearer_auth(&other.token),
    )
    .await;
    assert_error(&delete_other, StatusCode::FORBIDDEN, "not_owner");
    let vote_private = send(
        platform
            .http
            .post(platform.url(&format!("/api/public/videos/{id}/vote")))
            .bearer_auth(&other.token),
    )
    .await;
    assert_error(&vote_private, StatusCode::NOT_FOUND, "video_not_found");

    let detail = platform
        .wait_until_processed(&owner.token, &id, Duration::from_secs(300))
        .await
        .expect("processed");
    assert_keys(&detail, &DETAIL_KEYS);
    assert_eq!(
        (&detail["status"], &detail["votes"]),
        (&json!("processed"), &json!(0))
    );

    let published = send(
        platform
            .http
            .post(platform.url(&format!("{detail_path}/publish")))
            .bearer_auth(&owner.token),
    )
    .await;
    assert_eq!(published.0, StatusCode::OK, "{}", published.1);
    assert_keys(&published.1, &DETAIL_KEYS);
    assert_eq!(published.1["is_public"], true);

    let vote_path = format!("/api/public/videos/{id}/vote");
    let voted = send(
        platform
            .http
            .post(platform.url(&vote_path))
            .bearer_auth(&other.token),
    )
    .await;
    assert_eq!(voted.0, StatusCode::OK, "{}", voted.1);
    assert_keys(&voted.1, &["message"]);
    let twice = send(
        platform
            .http
            .post(platform.url(&vote_path))
            .bearer_auth(&other.token),
    )
    .await;
    assert_error(&twice, StatusCode::BAD_REQUEST, "already_voted");
    let mine = send(
        platform
            .http
            .get(platform.url("/api/user/votes"))
            .bearer_auth(&other.token),
    )
    .await;
    assert_eq!(mine, (StatusCode::OK, json!([id])));

    let refused = send(
        platform
            .http
            .delete(platform.url(&detail_path))
            .bearer_auth(&owner.token),
    )
    .await;
    assert_error(&refused, StatusCode::BAD_REQUEST, "already_published");
}

#[tokio::test]
async fn rows7_8_and_publish_on_an_unprocessed_video_then_delete_it() {
    let platform = Platform::from_env();
    let owner = platform.sign_up_and_log_in().await.expect("owner");
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("fresh.mp4");
    clip(&path, 1080, 1920, 21.0);
    let (status, created) = platform
        .upload(&owner.token, &path, "Fresh")
        .await
        .expect("upload");
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["video_id"].as_str().expect("video_id").to_owned();

    let publish = send(
        platform
            .http
            .post(platform.url(&format!("/api/videos/{id}/publish")))
            .bearer_auth(&owner.token),
    )
    .await;
    if publish.0 != StatusCode::OK {
        // Processing may already be over on a fast machine; only then is 200 right.
        assert_error(&publish, StatusCode::BAD_REQUEST, "not_processed");
        let deleted = send(
            platform
                .http
                .delete(platform.url(&format!("/api/videos/{id}")))
                .bearer_auth(&owner.token),
        )
        .await;
        assert_eq!(deleted.0, StatusCode::OK, "{}", deleted.1);
        assert_eq!(deleted.1["video_id"], json!(id));
        assert_keys(&deleted.1, &["message", "video_id"]);
        let gone = send(
            platform
                .http
                .get(platform.url(&format!("/api/videos/{id}")))
                .bearer_auth(&owner.token),
        )
        .await;
        assert_error(&gone, StatusCode::NOT_FOUND, "video_not_found");
    }
    for path in [
        format!("/api/videos/{}", uuid::Uuid::new_v4()),
        "/api/videos/not-a-uuid".to_owned(),
    ] {
        let shown = send(
            platform
                .http
                .get(platform.url(&path))
                .bearer_auth(&owner.token),
        )
        .await;
        assert_error(&shown, StatusCode::NOT_FOUND, "video_not_found");
        let deleted = send(
            platform
                .http
                .delete(platform.url(&path))
                .bearer_auth(&owner.token),
        )
        .await;
        assert_error(&deleted, StatusCode::NOT_FOUND, "video_not_found");
        let published = send(
            platform
                .http
                .post(platform.url(&format!("{path}/publish")))
                .bearer_auth(&owner.token),
        )
        .await;
        assert_error(&published, StatusCode::NOT_FOUND, "video_not_found");
        let voted = send(
            platform
                .http
                .post(platform.url(&format!("/api/public/videos/{}/vote", &path[12..])))
                .bearer_auth(&owner.token),
        )
        .await;
        assert_error(&voted, StatusCode::NOT_FOUND, "video_not_found");
    }
}
