use std::collections::HashMap;

use anb_proto::videos::v1::{GetVideoRequest, VideoStatus};
use anb_storage::MediaKind;
use anb_videos::db::video::{Entity, VideoStatus as Stored};
use anb_videos::ids::VideoId;
use fred::prelude::StreamsInterface;
use sea_orm::EntityTrait;
use uuid::Uuid;

use anb_proto::videos::v1::{UploadRequest, upload_request::Part};
use tokio_stream::StreamExt;

use crate::{
    clips::{CHUNK, chunks, clip, metadata, padded_clip, upload_of},
    support::TestService,
};

type Entries = Vec<(String, HashMap<String, String>)>;

#[tokio::test]
async fn valid_upload_keeps_the_exact_bytes_records_the_video_and_queues_a_job()
-> anyhow::Result<()> {
    let service = TestService::start().await?;
    let player = Uuid::new_v4();
    let bytes = std::fs::read(clip(1920, 1080, 21.0)?)?;

    let response = service
        .client
        .clone()
        .upload(service.authed(
            player,
            tokio_stream::iter(upload_of("  First dunk ", &bytes)),
        ))
        .await?
        .into_inner();

    let video_id = Uuid::parse_str(&response.video_id)?;
    let task_id = Uuid::parse_str(&response.task_id)?;
    let stored = std::fs::read(service.storage.path(MediaKind::Original, video_id))?;
    assert!(
        stored == bytes,
        "the original differs from the uploaded bytes"
    );
    assert!(service.files_in("tmp")?.is_empty());

    let row = Entity::find_by_id(VideoId(video_id))
        .one(&service.db)
        .await?
        .expect("row written");
    assert_eq!(row.status, Stored::Uploaded);
    assert_eq!(row.title, "First dunk");
    assert!(row.is_public);
    assert_eq!(row.original_file_name, "my dunk.mp4");
    assert_eq!(row.size_bytes, i64::try_from(bytes.len())?);
    assert_eq!((row.width, row.height), (1920, 1080));
    assert!(
        (20_900..=21_100).contains(&row.duration_ms),
        "duration {} ms",
        row.duration_ms
    );
    assert_eq!(row.task_id.0, task_id);

    let entries: Entries = service
        .queue
        .client()
        .xrange(&service.queue.names().stream, "-", "+", None)
        .await?;
    assert_eq!(entries.len(), 1);
    let job: serde_json::Value = serde_json::from_str(&entries[0].1["job"])?;
    assert_eq!(job["video_id"], video_id.to_string());
    assert_eq!(job["task_id"], task_id.to_string());
    Ok(())
}

#[tokio::test]
async fn metadata_may_follow_the_chunks_and_portrait_1080_is_accepted() -> anyhow::Result<()> {
    let service = TestService::start().await?;
    let player = Uuid::new_v4();
    let bytes = std::fs::read(clip(1080, 1920, 21.0)?)?;
    let mut messages = chunks(&bytes);
    messages.push(metadata("Crossover"));

    let response = service
        .client
        .clone()
        .upload(service.authed(player, tokio_stream::iter(messages)))
        .await?;

    let video_id = response.into_inner().video_id;
    let video = service
        .client
        .clone()
        .get_video(service.authed(player, GetVideoRequest { video_id }))
        .await?;
    let video = video.into_inner();
    assert_eq!(video.status(), VideoStatus::Uploaded);
    assert_eq!(video.title, "Crossover");
    assert_eq!(video.owner_id, player.to_string());
    assert_eq!(video.size_bytes, i64::try_from(bytes.len())?);
    assert_eq!(
        (video.processed_url, video.poster_url, video.processed_at),
        (None, None, None)
    );
    assert!(video.original_url.is_some());
    Ok(())
}

/// Peak resident memory of this process (each nextest test runs in its own), in KiB.
fn peak_rss_kib() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .ok_or_else(|| anyhow::anyhow!("no VmHWM"))?;
    Ok(line.split_whitespace().nth(1).unwrap_or("0").parse()?)
}

#[tokio::test]
async fn an_upload_of_exactly_the_limit_is_accepted_without_being_held_in_memory()
-> anyhow::Result<()> {
    let service = TestService::start().await?;
    let path = padded_clip(104_857_600)?;
    let file = tokio::fs::File::open(&path).await?;
    let parts =
        tokio_util::io::ReaderStream::with_capacity(file, CHUNK).map(|chunk| UploadRequest {
            part: Some(Part::Chunk(chunk.expect("reading the fixture").to_vec())),
        });
    let messages = tokio_stream::iter([metadata("Big")]).chain(parts);
    let before = peak_rss_kib()?;

    let response = service
        .client
        .clone()
        .upload(service.authed(Uuid::new_v4(), messages))
        .await?;

    let growth_mib = (peak_rss_kib()? - before) / 1024;
    assert!(
        growth_mib < 40,
        "peak memory grew by {growth_mib} MiB for a 100 MiB upload"
    );
    let video_id = Uuid::parse_str(&response.into_inner().video_id)?;
    let stored = std::fs::metadata(service.storage.path(MediaKind::Original, video_id))?;
    assert_eq!(stored.len(), 104_857_600);
    Ok(())
}

#[tokio::test]
async fn an_upload_copies_the_uploaders_profile_onto_the_video() -> anyhow::Result<()> {
    let service = TestService::start().await?;
    let player = Uuid::new_v4();
    let profile = crate::fake_auth::profile(player, "Ana", "Díaz", " Medellín ", "Colombia");
    service
        .profiles
        .lock()
        .expect("profiles lock")
        .insert(player, profile);
    let bytes = std::fs::read(clip(1920, 1080, 21.0)?)?;

    let response = service
        .client
        .clone()
        .upload(service.authed(player, tokio_stream::iter(upload_of("Snapshot", &bytes))))
        .await?
        .into_inner();

    let row = Entity::find_by_id(VideoId(Uuid::parse_str(&response.video_id)?))
        .one(&service.db)
        .await?
        .expect("row written");
    assert_eq!(
        (
            row.owner_first_name.as_str(),
            row.owner_last_name.as_str(),
            row.owner_city.as_str(),
            row.owner_country.as_str(),
            row.owner_city_key.as_str(),
        ),
        ("Ana", "Díaz", " Medellín ", "Colombia", "medellin")
    );
    Ok(())
}
