use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use serde_json::json;

use crate::{
    fakes::{UPLOAD_TASK, UPLOADED_VIDEO},
    harness::{Gateway, Reply},
};

mod memory;

const BOUNDARY: &str = "anb-test-boundary-7MA4YWxkTrZu0gW";
/// More than one chunk message of file data.
const CHUNK_PROBE: usize = 300 * 1024;

enum Part<'a> {
    Text(&'a str, &'a str),
    File(&'a [u8]),
}

/// A multipart body with the parts in the given order; `finish: false` leaves out the
/// closing boundary, as a client that breaks off does.
fn form(parts: &[Part<'_>], finish: bool) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => {
                let head = format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n");
                body.extend_from_slice(head.as_bytes());
                body.extend_from_slice(value.as_bytes());
            }
            Part::File(bytes) => {
                body.extend_from_slice(
                    b"Content-Disposition: form-data; name=\"video_file\"; filename=\"dunk.mp4\"\r\n\
                      Content-Type: video/mp4\r\n\r\n",
                );
                body.extend_from_slice(bytes);
            }
        }
        body.extend_from_slice(b"\r\n");
    }
    if finish {
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    }
    body
}

fn file_of(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 253) as u8).collect()
}

async fn upload(gateway: &Gateway, body: Vec<u8>) -> Reply {
    upload_as(gateway, &gateway.bearer(), body).await
}

async fn upload_as(gateway: &Gateway, bearer: &str, body: Vec<u8>) -> Reply {
    send_upload(gateway, bearer, Body::from(body)).await
}

async fn send_upload(gateway: &Gateway, bearer: &str, body: Body) -> Reply {
    let request = Request::post("/api/videos/upload")
        .header(header::AUTHORIZATION, bearer)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .expect("valid request");
    gateway.send(request).await
}

#[tokio::test]
async fn an_upload_is_streamed_in_bounded_chunks_with_metadata_last() {
    let gateway = Gateway::start().await;
    let file = file_of(1024 * 1024 + 5);
    let body = form(
        &[
            Part::Text("title", "Crossover"),
            Part::Text("is_public", "true"),
            Part::File(&file),
        ],
        true,
    );
    let bearer = gateway.bearer();

    let reply = upload_as(&gateway, &bearer, body).await;

    assert_eq!(reply.status, StatusCode::CREATED);
    let body = reply.json();
    assert_eq!(
        (&body["video_id"], &body["task_id"]),
        (&json!(UPLOADED_VIDEO), &json!(UPLOAD_TASK))
    );
    assert!(body["message"].is_string());
    let seen = gateway.uploads(1).await.remove(0);
    assert_eq!(seen.bytes, file.len() as u64);
    assert!(
        seen.largest_chunk <= 256 * 1024,
        "largest chunk {}",
        seen.largest_chunk
    );
    assert!(seen.chunks >= 5, "{} chunks", seen.chunks);
    assert_eq!(seen.chunks_before_metadata, seen.chunks);
    let metadata = seen.metadata.expect("metadata sent");
    assert_eq!(
        (metadata.title.as_str(), metadata.is_public),
        ("Crossover", Some(true))
    );
    assert_eq!(metadata.file_name, "dunk.mp4");
    assert_eq!(gateway.forwarded_authorization(), vec![Some(bearer)]);
}

#[tokio::test]
async fn text_fields_after_the_file_still_reach_videos() {
    let gateway = Gateway::start().await;
    let file = file_of(300 * 1024);
    let body = form(
        &[
            Part::File(&file),
            Part::Text("is_public", "false"),
            Part::Text("title", "Late title"),
        ],
        true,
    );

    let reply = upload(&gateway, body).await;

    assert_eq!(reply.status, StatusCode::CREATED);
    let seen = gateway.uploads(1).await.remove(0);
    assert_eq!(seen.bytes, file.len() as u64);
    let metadata = seen.metadata.expect("metadata sent");
    assert_eq!(
        (metadata.title.as_str(), metadata.is_public),
        ("Late title", Some(false))
    );
}

#[tokio::test]
async fn a_file_over_the_videos_limit_is_413() {
    let gateway = Gateway::start().await;
    let file = file_of(5 * 1024 * 1024);

    let reply = upload(
        &gateway,
        form(&[Part::Text("title", "Big"), Part::File(&file)], true),
    )
    .await;

    assert_eq!(
        reply.error_code(),
        (StatusCode::PAYLOAD_TOO_LARGE, "file_too_large".to_owned())
    );
}

#[tokio::test]
async fn a_body_over_the_gateway_limit_is_413() {
    let gateway = Gateway::start_with(|config| config.max_upload_bytes = 64 * 1024).await;
    let file = file_of(2 * 1024 * 1024);

    let reply = upload(
        &gateway,
        form(&[Part::Text("title", "Big"), Part::File(&file)], true),
    )
    .await;

    assert_eq!(
        reply.error_code(),
        (StatusCode::PAYLOAD_TOO_LARGE, "file_too_large".to_owned())
    );
}

#[tokio::test]
async fn a_broken_off_multipart_body_is_400_and_never_hands_videos_the_metadata() {
    let gateway = Gateway::start().await;
    let head = form(
        &[
            Part::Text("title", "Cut"),
            Part::File(&file_of(CHUNK_PROBE)),
        ],
        false,
    );
    let (pieces, receiver) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let record = gateway.mesh.record.clone();
    // The client sends the form's start, waits until videos is receiving it, then breaks off.
    tokio::spawn(async move {
        let _ = pieces.send(Ok(head)).await;
        for _ in 0..500 {
            if record.lock().expect("record lock").live_bytes > 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    });
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(receiver));

    let reply = send_upload(&gateway, &gateway.bearer(), body).await;

    assert_eq!(
        reply.error_code(),
        (StatusCode::BAD_REQUEST, "invalid_multipart".to_owned())
    );
    let seen = gateway.uploads(1).await.remove(0);
    assert!(
        seen.bytes > 0,
        "the file was streaming before the body broke off"
    );
    assert!(
        seen.metadata.is_none(),
        "without metadata videos refuses the truncated file"
    );
}

#[tokio::test]
async fn a_missing_title_is_reported_by_videos_as_400() {
    let gateway = Gateway::start().await;
    let file = file_of(1000);

    let reply = upload(&gateway, form(&[Part::File(&file)], true)).await;

    assert_eq!(
        reply.error_code(),
        (StatusCode::BAD_REQUEST, "missing_title".to_owned())
    );
}

#[tokio::test]
async fn an_unreadable_is_public_flag_is_400() {
    let gateway = Gateway::start().await;
    let file = file_of(1000);
    let body = form(
        &[
            Part::Text("title", "Flag"),
            Part::Text("is_public", "sometimes"),
            Part::File(&file),
        ],
        true,
    );

    let reply = upload(&gateway, body).await;

    assert_eq!(
        reply.error_code(),
        (StatusCode::BAD_REQUEST, "invalid_is_public".to_owned())
    );
}

#[tokio::test]
async fn an_upload_that_is_not_multipart_is_415() {
    let gateway = Gateway::start().await;
    let request = Request::post("/api/videos/upload")
        .header(header::AUTHORIZATION, gateway.bearer())
        .header(header::CONTENT_TYPE, "video/mp4")
        .body(Body::from(file_of(1000)))
        .expect("valid request");

    let reply = gateway.send(request).await;

    assert_eq!(
        reply.error_code(),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type".to_owned()
        )
    );
}

#[tokio::test]
async fn an_upload_without_a_token_is_401_and_reaches_no_service() {
    let gateway = Gateway::start().await;
    let request = Request::post("/api/videos/upload")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(form(&[Part::Text("title", "x")], true)))
        .expect("valid request");

    let reply = gateway.send(request).await;

    assert_eq!(
        reply.error_code(),
        (StatusCode::UNAUTHORIZED, "missing_token".to_owned())
    );
    assert!(gateway.forwarded_authorization().is_empty());
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_before_any_byte_is_read() {
    let gateway = Gateway::start().await;
    let request = Request::post("/api/videos/upload")
        .header(header::AUTHORIZATION, gateway.bearer())
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::CONTENT_LENGTH, "10000000000")
        .body(Body::empty())
        .expect("valid request");

    let reply = gateway.send(request).await;

    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.json()["code"], "file_too_large");
}

#[tokio::test]
async fn bytes_of_a_client_that_pauses_are_passed_on_before_the_pause_ends() {
    use futures::StreamExt as _;

    let gateway = Gateway::start().await;
    let whole = form(
        &[Part::Text("title", "Slow"), Part::File(&file_of(4000))],
        true,
    );
    let (first, rest) = whole.split_at(whole.len() / 2);
    let pieces = [
        (0u64, bytes::Bytes::copy_from_slice(first)),
        (800, bytes::Bytes::copy_from_slice(rest)),
    ];
    let body = futures::stream::iter(pieces).then(|(pause_ms, piece)| async move {
        tokio::time::sleep(std::time::Duration::from_millis(pause_ms)).await;
        Ok::<_, std::convert::Infallible>(piece)
    });

    let reply = send_upload(&gateway, &gateway.bearer(), Body::from_stream(body)).await;

    assert_eq!(reply.status, StatusCode::CREATED);
    let seen = gateway.uploads(1).await.remove(0);
    assert_eq!(seen.bytes, 4000);
    assert_eq!(seen.chunks, 2, "the half before the pause went on its own");
}
