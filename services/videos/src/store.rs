//! The `videos` table's queries. Status changes are single conditional UPDATEs, so two
//! workers or two service instances racing on one video cannot interleave a read and a write.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    db::video::{self, ActiveModel, Column, Entity, Model, VideoStatus},
    error::{Error, Result},
    ids::{UserId, VideoId},
};

/// Inserts a freshly accepted video.
pub(crate) async fn insert(db: &impl ConnectionTrait, row: Model) -> Result<()> {
    Entity::insert(ActiveModel::from(row))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// One video, if it exists.
pub(crate) async fn find(db: &impl ConnectionTrait, id: VideoId) -> Result<Option<Model>> {
    Ok(Entity::find_by_id(id).one(db).await?)
}

/// The owner's videos, newest first (ids are time-ordered, so they break ties).
pub(crate) async fn list_by_owner(db: &impl ConnectionTrait, owner: UserId) -> Result<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::OwnerId.eq(owner))
        .order_by_desc(Column::UploadedAt)
        .order_by_desc(Column::Id)
        .all(db)
        .await?)
}

/// Deletes a video unless it is published for voting, in one statement so a publish racing
/// the delete cannot slip in between a check and the removal. `false`: nothing deleted.
pub(crate) async fn delete_unpublished(db: &impl ConnectionTrait, id: VideoId) -> Result<bool> {
    let published = Column::Status
        .eq(VideoStatus::Processed)
        .and(Column::IsPublic.eq(true));
    let deleted = Entity::delete_many()
        .filter(Column::Id.eq(id))
        .filter(published.not())
        .exec(db)
        .await?;
    Ok(deleted.rows_affected == 1)
}

/// Makes a processed video public. `false`: the video is not (or no longer) processed.
pub(crate) async fn publish(db: &impl ConnectionTrait, id: VideoId) -> Result<bool> {
    let updated = Entity::update_many()
        .col_expr(Column::IsPublic, Expr::value(true))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(VideoStatus::Processed))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// A page of the videos published for voting, most recently processed first, optionally
/// only those whose owner's city folds to `city_key`.
pub(crate) async fn list_published(
    db: &impl ConnectionTrait,
    city_key: Option<&str>,
    limit: u64,
    offset: u64,
) -> Result<Vec<Model>> {
    let mut query = Entity::find()
        .filter(Column::Status.eq(VideoStatus::Processed))
        .filter(Column::IsPublic.eq(true));
    if let Some(key) = city_key {
        query = query.filter(Column::OwnerCityKey.eq(key));
    }
    Ok(query
        .order_by_desc(Column::ProcessedAt)
        .order_by_desc(Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?)
}

/// Moves a video to `processing` unless it is already processed: a job redelivered after
/// its result was recorded must not hide a finished video.
pub(crate) async fn mark_processing(
    db: &impl ConnectionTrait,
    id: VideoId,
    now: DateTime<Utc>,
) -> Result<()> {
    let changes = ActiveModel {
        status: Set(VideoStatus::Processing),
        processing_started_at: Set(Some(now)),
        failure_reason: Set(None),
        updated_at: Set(now),
        ..Default::default()
    };
    let updated = Entity::update_many()
        .set(changes)
        .filter(Column::Id.eq(id))
        .filter(Column::Status.ne(VideoStatus::Processed))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        ensure_exists(db, id).await?;
        tracing::debug!(%id, "already processed, status kept");
    }
    Ok(())
}

/// Records a successful transcode. Re-recording keeps the first `processed_at`.
pub(crate) async fn record_success(
    db: &impl ConnectionTrait,
    id: VideoId,
    processed_duration_ms: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let changes = ActiveModel {
        status: Set(VideoStatus::Processed),
        processed_duration_ms: Set(Some(processed_duration_ms)),
        failure_reason: Set(None),
        updated_at: Set(now),
        ..Default::default()
    };
    let updated = Entity::update_many()
        .set(changes)
        .col_expr(
            Column::ProcessedAt,
            Expr::col(Column::ProcessedAt).if_null(now),
        )
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// Records a failed transcode, unless the video was processed meanwhile (a late report
/// from a duplicate delivery): a good output is never thrown away for a stale failure.
pub(crate) async fn record_failure(
    db: &impl ConnectionTrait,
    id: VideoId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let changes = ActiveModel {
        status: Set(VideoStatus::Failed),
        failure_reason: Set(Some(reason.to_owned())),
        updated_at: Set(now),
        ..Default::default()
    };
    let updated = Entity::update_many()
        .set(changes)
        .filter(Column::Id.eq(id))
        .filter(Column::Status.ne(VideoStatus::Processed))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        ensure_exists(db, id).await?;
        tracing::warn!(%id, "failure reported for a processed video, ignored");
    }
    Ok(())
}

/// Videos waiting (`uploaded`) or working (`processing`) with no change since `cutoff`,
/// oldest first, at most `limit`.
pub(crate) async fn stale(
    db: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::Status.is_in([VideoStatus::Uploaded, VideoStatus::Processing]))
        .filter(Column::UpdatedAt.lt(cutoff))
        .order_by_asc(Column::UpdatedAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// Takes a stale video for re-queueing by moving its `updated_at` forward, only if nobody
/// touched it since it was read. `false` means another instance or a worker got there first.
pub(crate) async fn claim_for_requeue(
    db: &impl ConnectionTrait,
    row: &Model,
    now: DateTime<Utc>,
) -> Result<bool> {
    let updated = Entity::update_many()
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(row.id))
        .filter(Column::Status.eq(row.status))
        .filter(Column::UpdatedAt.eq(row.updated_at))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

async fn ensure_exists(db: &impl ConnectionTrait, id: VideoId) -> Result<()> {
    let found = Entity::find_by_id(id)
        .select_only()
        .column(video::Column::Id)
        .into_tuple::<VideoId>();
    match found.one(db).await? {
        Some(_) => Ok(()),
        None => Err(Error::NotFound),
    }
}
