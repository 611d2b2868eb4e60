//! The upload use case: receive, check, store under the final key, record, queue.

use anb_proto::videos::v1::UploadRequest;
use anb_storage::MediaKind;
use chrono::Utc;
use tokio_stream::Stream;
use tonic::Status;

use crate::{
    App,
    db::video::{Model, VideoStatus},
    error::Result,
    ids::{TaskId, UserId, VideoId},
    intake::{self, Received},
    jobs,
    player::{self, Player},
    store,
};

/// Accepts one upload from `owner`, whose profile is `player`. On any error the received
/// bytes are deleted.
pub(crate) async fn accept<S>(
    app: &App,
    owner: UserId,
    player: Player,
    parts: S,
) -> Result<(VideoId, TaskId)>
where
    S: Stream<Item = Result<UploadRequest, Status>>,
{
    let Received {
        mut file,
        size_bytes,
        meta,
    } = intake::receive(parts, &app.storage, &app.policy).await?;
    let facts = intake::inspect(file.path().to_owned(), &app.policy).await?;

    let id = VideoId::generate();
    let task_id = TaskId::generate();
    tracing::Span::current().record("video_id", tracing::field::display(id));
    file.move_to(app.storage.path(MediaKind::Original, id.0))
        .await?;

    let now = Utc::now();
    let row = Model {
        id,
        owner_id: owner,
        title: meta.title,
        status: VideoStatus::Uploaded,
        is_public: meta.is_public,
        original_file_name: meta.file_name,
        size_bytes: i64::try_from(size_bytes)
            .expect("the size limit keeps uploads far below i64::MAX"),
        duration_ms: i64::try_from(facts.duration.as_millis()).unwrap_or(i64::MAX),
        width: to_i32(facts.width),
        height: to_i32(facts.height),
        task_id,
        failure_reason: None,
        processed_duration_ms: None,
        uploaded_at: now,
        processing_started_at: None,
        processed_at: None,
        updated_at: now,
        owner_city_key: player::city_key(&player.city),
        owner_first_name: player.first_name,
        owner_last_name: player.last_name,
        owner_city: player.city,
        owner_country: player.country,
    };
    store::insert(&app.db, row).await?;
    file.keep();
    UPLOAD_BYTES.inc_by(size_bytes);

    jobs::enqueue(&app.queue, id, task_id).await;
    Ok((id, task_id))
}

/// Bytes of the uploads that passed every check and were stored.
static UPLOAD_BYTES: std::sync::LazyLock<anb_metrics::IntCounter> =
    std::sync::LazyLock::new(|| {
        anb_metrics::counter(
            "anb_videos_upload_bytes_total",
            "Bytes of accepted uploads stored as originals",
        )
    });

fn to_i32(pixels: u32) -> i32 {
    i32::try_from(pixels).unwrap_or(i32::MAX)
}
