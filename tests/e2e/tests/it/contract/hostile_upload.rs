//! Hostile uploads: bad multipart, lying names and types, SQL in the title.

use reqwest::{RequestBuilder, StatusCode, multipart};
use serde_json::json;

use super::{assert_error, assert_ready, send};
use crate::support::Platform;

fn file_part(bytes: &[u8], name: &str, mime: &str) -> multipart::Part {
    multipart::Part::bytes(bytes.to_vec())
        .file_name(name.to_owned())
        .mime_str(mime)
        .expect("a valid mime type")
}

#[tokio::test]
async fn hostile_uploads_are_refused_with_400_or_415_and_store_nothing() {
    let platform = Platform::from_env();
    let player = platform.sign_up_and_log_in().await.expect("player");
    let url = platform.url("/api/videos/upload");
    let post = || platform.http.post(&url).bearer_auth(&player.token);
    let text = b"#!/bin/sh\nrm -rf /\n";
    let form = |title: &str, part: multipart::Part| {
        multipart::Form::new()
            .text("title", title.to_owned())
            .part("video_file", part)
    };
    let boundary_body = |body: &'static str| -> RequestBuilder {
        post()
            .header("content-type", "multipart/form-data; boundary=XYZ")
            .body(body)
    };

    let cases = [
        (
            post().multipart(form("Lie", file_part(text, "clip.mp4", "video/mp4"))),
            StatusCode::BAD_REQUEST,
            "not_mp4",
        ),
        (
            post().multipart(form(
                "Traversal",
                file_part(text, "../../../etc/passwd", "video/mp4"),
            )),
            StatusCode::BAD_REQUEST,
            "not_mp4",
        ),
        (
            post().multipart(form(
                "'; DROP TABLE videos; --",
                file_part(text, "x.mp4", "video/mp4"),
            )),
            StatusCode::BAD_REQUEST,
            "not_mp4",
        ),
        (
            post().multipart(form(
                &"t".repeat(5000),
                file_part(text, "x.mp4", "video/mp4"),
            )),
            StatusCode::BAD_REQUEST,
            "invalid_title",
        ),
        (
            post().multipart(form("Bell\u{7}", file_part(text, "x.mp4", "video/mp4"))),
            StatusCode::BAD_REQUEST,
            "invalid_title",
        ),
        (
            post().multipart(
                form("Two", file_part(text, "a.mp4", "video/mp4"))
                    .part("video_file", file_part(text, "b.mp4", "video/mp4")),
            ),
            StatusCode::BAD_REQUEST,
            "duplicate_file",
        ),
        (
            post().multipart(
                form("Flag", file_part(text, "x.mp4", "video/mp4")).text("is_public", "1 OR 1=1"),
            ),
            StatusCode::BAD_REQUEST,
            "invalid_is_public",
        ),
        (
            post().json(&json!({ "title": "json", "video_file": "AAAA" })),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            post()
                .header("content-type", "video/mp4")
                .body(text.to_vec()),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            post()
                .header("content-type", "multipart/form-data")
                .body("no boundary"),
            StatusCode::BAD_REQUEST,
            "invalid_multipart",
        ),
        (
            boundary_body("--XYZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\ncut off"),
            StatusCode::BAD_REQUEST,
            "invalid_multipart",
        ),
        (
            boundary_body("garbage without any boundary"),
            StatusCode::BAD_REQUEST,
            "invalid_multipart",
        ),
    ];
    for (request, status, code) in cases {
        assert_error(&send(request).await, status, code);
    }
    let list = send(
        platform
            .http
            .get(platform.url("/api/videos"))
            .bearer_auth(&player.token),
    )
    .await;
    assert_eq!(list, (StatusCode::OK, json!([])));
    assert_ready(&platform).await;
}
