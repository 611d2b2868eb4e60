use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use anb_grpc::reason_of;
use anb_proto::videos::v1::UploadRequest;
use tonic::{Code, Request, Status};
use uuid::Uuid;

use crate::{
    clips::{CHUNK, chunks, clip, metadata, upload_of},
    support::{Options, TestService},
};

/// Uploads `messages` as a new player and returns the refusal.
async fn refused(service: &TestService, messages: Vec<UploadRequest>) -> anyhow::Result<Status> {
    let request = service.authed(Uuid::new_v4(), tokio_stream::iter(messages));
    match service.client.clone().upload(request).await {
        Ok(response) => anyhow::bail!("upload accepted: {:?}", response.into_inner()),
        Err(status) => Ok(status),
    }
}

fn assert_nothing_stored(service: &TestService) -> anyhow::Result<()> {
    assert_eq!(service.files_in("tmp")?, Vec::<std::path::PathBuf>::new());
    assert_eq!(
        service.files_in("originals")?,
        Vec::<std::path::PathBuf>::new()
    );
    Ok(())
}

#[tokio::test]
async fn a_stream_over_the_limit_is_cut_off_with_out_of_range_and_leaves_no_file()
-> anyhow::Result<()> {
    let mut options = Options::default();
    options.policy.max_bytes = 1024 * 1024;
    let service = TestService::start_with(options).await?;
    let produced = Arc::new(AtomicUsize::new(0));
    let counter = produced.clone();
    // 128 MiB offered; the server must stop long before the client runs out.
    let endless = tokio_stream::iter(std::iter::once(metadata("Too big")).chain((0..2048).map(
        move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
            UploadRequest {
                part: Some(anb_proto::videos::v1::upload_request::Part::Chunk(
                    vec![7u8; CHUNK],
                )),
            }
        },
    )));

    let status = service
        .client
        .clone()
        .upload(service.authed(Uuid::new_v4(), endless))
        .await
        .expect_err("too big");

    assert_eq!(status.code(), Code::OutOfRange);
    assert_eq!(reason_of(&status), Some("file_too_large"));
    assert_eq!(
        status.message(),
        "the file is larger than the 1 MB upload limit"
    );
    let sent = produced.load(Ordering::Relaxed);
    assert!(
        sent < 1024,
        "the client produced {sent} of 2048 chunks before the refusal"
    );
    assert_nothing_stored(&service)
}

#[tokio::test]
async fn a_text_file_is_refused_as_not_mp4() -> anyhow::Result<()> {
    let service = TestService::start().await?;
    let text = "just some notes, not a video\n".repeat(200);

    let status = refused(&service, upload_of("Notes", text.as_bytes())).await?;

    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(reason_of(&status), Some("not_mp4"));
    assert_nothing_stored(&service)
}

#[tokio::test]
async fn a_truncated_mp4_is_refused_as_unreadable() -> anyhow::Result<()> {
    let service = TestService::start().await?;
    let bytes = std::fs::read(clip(1920, 1080, 21.0)?)?;

    let status = refused(&service, upload_of("Cut", &bytes[..bytes.len() / 3])).await?;

    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(reason_of(&status), Some("unreadable_video"));
    assert_eq!(
        status.message(),
        "the video cannot be read: the file is incomplete (it was cut off)"
    );
    assert_nothing_stored(&service)
}

#[tokio::test]
async fn an_8k_video_is_refused_as_too_large_with_the_largest_accepted_size() -> anyhow::Result<()>
{
    let service = TestService::start().await?;
    // One picture; the size is refused before the duration is looked at.
    let bytes = std::fs::read(clip(7680, 4320, 0.2)?)?;

    let status = refused(&service, upload_of("Huge", &bytes)).await?;

    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(reason_of(&status), Some("video_too_large"));
    assert_eq!(
        status.message(),
        "the video is 7680x4320; the largest accepted is 4096x2304"
    );
    assert_nothing_stored(&service)
}

#[tokio::test]
async fn a_ten_second_clip_is_refused_with_the_duration_limits() -> anyhow::Result<()> {
    let service = TestService::start().await?;
    let bytes = std::fs::read(clip(1920, 1080, 10.0)?)?;

    let status = refused(&service, upload_of("Short", &bytes)).await?;

    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(reason_of(&status), Some("invalid_duration"));
    assert_eq!(
        status.message(),
        "video must be between 20 and 60 seconds long, got 10.0 s"
    );
    assert_nothing_stored(&service)
}

#[tokio::test]
async fn a_720p_clip_is_refused_as_resolution_too_low() -> anyhow::Result<()> {
    let service = TestService::start().await?;
    let bytes = std::fs::read(clip(1280, 720, 21.0)?)?;

    let status = refused(&service, upload_of("Blurry", &bytes)).await?;

    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(reason_of(&status), Some("resolution_too_low"));
    assert_eq!(
        status.message(),
        "video must be at least 1080 pixels on its shorter side, got 1280x720"
    );
    assert_nothing_stored(&service)
}

#[tokio::test]
async fn a_blank_or_absent_title_is_missing_title_and_no_chunks_is_missing_file()
-> anyhow::Result<()> {
    let service = TestService::start().await?;
    let bytes = std::fs::read(clip(1920, 1080, 21.0)?)?;

    let blank = refused(&service, upload_of("   ", &bytes)).await?;
    let absent = refused(&service, chunks(&bytes)).await?;
    let no_file = refused(&service, vec![metadata("Nothing")]).await?;

    assert_eq!(
        (blank.code(), reason_of(&blank)),
        (Code::InvalidArgument, Some("missing_title"))
    );
    assert_eq!(
        (absent.code(), reason_of(&absent)),
        (Code::InvalidArgument, Some("missing_title"))
    );
    assert_eq!(
        (no_file.code(), reason_of(&no_file)),
        (Code::InvalidArgument, Some("missing_file"))
    );
    assert_nothing_stored(&service)
}

#[tokio::test]
async fn an_upload_without_a_token_is_unauthenticated() -> anyhow::Result<()> {
    let service = TestService::start().await?;

    let request = Request::new(tokio_stream::iter(upload_of("Anon", b"bytes")));
    let status = service
        .client
        .clone()
        .upload(request)
        .await
        .expect_err("no token");

    assert_eq!(status.code(), Code::Unauthenticated);
    assert_nothing_stored(&service)
}

#[tokio::test]
async fn a_client_that_hangs_up_mid_stream_leaves_no_file() -> anyhow::Result<()> {
    let service = TestService::start().await?;
    let (sender, receiver) = tokio::sync::mpsc::channel::<UploadRequest>(4);
    let request = service.authed(
        Uuid::new_v4(),
        tokio_stream::wrappers::ReceiverStream::new(receiver),
    );
    let mut client = service.client.clone();
    let call = tokio::spawn(async move { client.upload(request).await });
    sender.send(metadata("Gone")).await?;
    for message in chunks(&vec![1u8; 4 * CHUNK]) {
        sender.send(message).await?;
    }
    wait_until(|| Ok(!service.files_in("tmp")?.is_empty())).await?;

    call.abort();
    drop(sender);

    wait_until(|| Ok(service.files_in("tmp")?.is_empty())).await?;
    assert_nothing_stored(&service)
}

/// Polls `condition` every 50 ms for at most 5 s.
async fn wait_until(mut condition: impl FnMut() -> anyhow::Result<bool>) -> anyhow::Result<()> {
    for _ in 0..100 {
        if condition()? {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    anyhow::bail!("condition not met within 5 s")
}

#[tokio::test]
async fn a_stalled_upload_is_dropped_after_the_idle_timeout_and_leaves_no_file()
-> anyhow::Result<()> {
    let mut options = Options::default();
    options.policy.idle_timeout = std::time::Duration::from_millis(500);
    let service = TestService::start_with(options).await?;
    let (sender, receiver) = tokio::sync::mpsc::channel::<UploadRequest>(4);
    sender.send(metadata("Slow")).await?;
    sender.send(chunks(&[1u8; 1000]).remove(0)).await?;
    let request = service.authed(
        Uuid::new_v4(),
        tokio_stream::wrappers::ReceiverStream::new(receiver),
    );

    let status = service
        .client
        .clone()
        .upload(request)
        .await
        .expect_err("stalled");

    assert_eq!(status.code(), Code::DeadlineExceeded);
    assert_eq!(reason_of(&status), Some("upload_stalled"));
    drop(sender);
    assert_nothing_stored(&service)
}
