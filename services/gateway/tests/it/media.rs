use std::time::Duration;

use anb_storage::{MediaKind, Storage, UrlSigner};
use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use uuid::Uuid;

use crate::harness::{Gateway, MEDIA_SECRET, Reply, unix_now};

const VIDEO_ID: &str = "0192f6a0-7c1e-7d2a-9b3c-4d5e6f708192";

/// A processed file of 1000 distinct-ish bytes and a poster, under the gateway's storage.
fn store_files(gateway: &Gateway) -> Vec<u8> {
    let storage = Storage::new(gateway.storage.path());
    let id = Uuid::parse_str(VIDEO_ID).expect("valid uuid");
    let content: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
    for (kind, bytes) in [
        (MediaKind::Processed, &content[..]),
        (MediaKind::Poster, b"jpeg"),
    ] {
        let path = storage.path(kind, id);
        std::fs::create_dir_all(path.parent().expect("keys have a folder")).expect("folder");
        std::fs::write(path, bytes).expect("media file written");
    }
    content
}

fn signed(key: &str, now: i64) -> String {
    UrlSigner::new(MEDIA_SECRET, Duration::from_secs(300))
        .sign(key, now)
        .to_path()
}

fn processed_key() -> String {
    format!("processed/{VIDEO_ID}.mp4")
}

async fn fetch(gateway: &Gateway, uri: &str, range: Option<&str>) -> Reply {
    let mut request = Request::get(uri);
    if let Some(range) = range {
        request = request.header(header::RANGE, range);
    }
    gateway
        .send(request.body(Body::empty()).expect("valid request"))
        .await
}

#[tokio::test]
async fn a_validly_signed_url_serves_the_whole_file_with_its_type() {
    let gateway = Gateway::start().await;
    let content = store_files(&gateway);

    let video = fetch(&gateway, &signed(&processed_key(), unix_now()), None).await;
    let poster = fetch(
        &gateway,
        &signed(&format!("posters/{VIDEO_ID}.jpg"), unix_now()),
        None,
    )
    .await;

    assert_eq!(video.status, StatusCode::OK);
    assert_eq!(video.body, content);
    assert_eq!(video.headers[header::CONTENT_TYPE], "video/mp4");
    assert_eq!(video.headers[header::CACHE_CONTROL], "private, max-age=60");
    assert_eq!(video.headers[header::ACCEPT_RANGES], "bytes");
    assert_eq!(
        (poster.status, poster.body.as_slice()),
        (StatusCode::OK, &b"jpeg"[..])
    );
    assert_eq!(poster.headers[header::CONTENT_TYPE], "image/jpeg");
}

#[tokio::test]
async fn a_range_request_answers_206_with_exactly_those_bytes() {
    let gateway = Gateway::start().await;
    let content = store_files(&gateway);

    let reply = fetch(
        &gateway,
        &signed(&processed_key(), unix_now()),
        Some("bytes=0-99"),
    )
    .await;

    assert_eq!(reply.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(reply.body, content[..100]);
    assert_eq!(reply.headers[header::CONTENT_RANGE], "bytes 0-99/1000");
}

#[tokio::test]
async fn an_unsatisfiable_range_is_a_416_json_error() {
    let gateway = Gateway::start().await;
    store_files(&gateway);

    let reply = fetch(
        &gateway,
        &signed(&processed_key(), unix_now()),
        Some("bytes=5000-6000"),
    )
    .await;

    assert_eq!(
        reply.error_code(),
        (
            StatusCode::RANGE_NOT_SATISFIABLE,
            "range_not_satisfiable".to_owned()
        )
    );
}

#[tokio::test]
async fn a_range_in_an_unknown_unit_is_ignored_and_the_whole_file_served() {
    let gateway = Gateway::start().await;
    let content = store_files(&gateway);

    let reply = fetch(
        &gateway,
        &signed(&processed_key(), unix_now()),
        Some("seconds=0-10"),
    )
    .await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, content);
    assert!(!reply.headers.contains_key(header::CONTENT_RANGE));
}

#[tokio::test]
async fn a_tampered_signature_or_key_is_403() {
    let gateway = Gateway::start().await;
    store_files(&gateway);
    let url = signed(&processed_key(), unix_now());
    let (path, query) = url.split_once('?').expect("signed urls have a query");
    let other_key = format!("/media/posters/{VIDEO_ID}.jpg?{query}");
    let (front, sig) = url.rsplit_once("sig=").expect("signature parameter");
    let flipped = if sig.starts_with('A') { "B" } else { "A" };
    let tampered = format!("{front}sig={flipped}{}", &sig[1..]);

    let bad_sig = fetch(&gateway, &tampered, None).await;
    let moved = fetch(&gateway, &other_key, None).await;
    let unsigned = fetch(&gateway, path, None).await;

    assert_eq!(
        bad_sig.error_code(),
        (StatusCode::FORBIDDEN, "invalid_signature".to_owned())
    );
    assert_eq!(
        moved.error_code(),
        (StatusCode::FORBIDDEN, "invalid_signature".to_owned())
    );
    assert_eq!(
        unsigned.error_code(),
        (StatusCode::FORBIDDEN, "invalid_signature".to_owned())
    );
}

#[tokio::test]
async fn an_expired_url_is_403() {
    let gateway = Gateway::start().await;
    store_files(&gateway);

    let reply = fetch(&gateway, &signed(&processed_key(), unix_now() - 3600), None).await;

    assert_eq!(
        reply.error_code(),
        (StatusCode::FORBIDDEN, "media_link_expired".to_owned())
    );
}

#[tokio::test]
async fn unknown_keys_and_missing_files_are_404() {
    let gateway = Gateway::start().await;
    let missing = format!("originals/{VIDEO_ID}.mp4");
    let foreign = format!("tmp/{VIDEO_ID}.mp4");

    let no_file = fetch(&gateway, &signed(&missing, unix_now()), None).await;
    let no_key = fetch(&gateway, &signed(&foreign, unix_now()), None).await;

    assert_eq!(
        no_file.error_code(),
        (StatusCode::NOT_FOUND, "media_not_found".to_owned())
    );
    assert_eq!(
        no_key.error_code(),
        (StatusCode::NOT_FOUND, "media_not_found".to_owned())
    );
}
