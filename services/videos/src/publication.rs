//! What a player does with a finished video (delete it, publish it) and what others see
//! of published ones: the public gallery and the check `votes` makes before a vote.

use std::io;

use anb_proto::videos::v1::{ListPublicVideosRequest, PublicVideo, VotableVideo};
use anb_storage::MediaKind;
use chrono::Utc;

use crate::{
    App,
    db::video::{Model, VideoStatus},
    error::{Error, Result},
    ids::{UserId, VideoId},
    player, store, view,
};

/// Page size when the caller asks for none.
const DEFAULT_PAGE: u32 = 20;
/// Longest city filter accepted, as in the rankings; no city name is near it.
const MAX_CITY_CHARS: usize = 100;
/// Largest page, so one request cannot make the service sign thousands of URLs.
const MAX_PAGE: u32 = 100;

/// Whether the video counts as published for voting.
pub(crate) fn is_published(row: &Model) -> bool {
    row.status == VideoStatus::Processed && row.is_public
}

/// The caller's own video, or why they cannot act on it.
async fn own_video(app: &App, caller: UserId, video_id: &str) -> Result<Model> {
    let id = VideoId::parse(video_id).ok_or(Error::NotFound)?;
    let row = store::find(&app.db, id).await?.ok_or(Error::NotFound)?;
    if row.owner_id != caller {
        return Err(Error::NotOwner);
    }
    Ok(row)
}

/// Deletes one of the caller's unpublished videos with its files.
///
/// A video being processed may be deleted: the transcoder's later report gets NOT_FOUND
/// and it removes the outputs it wrote, so nothing is left behind.
pub(crate) async fn delete(app: &App, caller: UserId, video_id: &str) -> Result<VideoId> {
    let row = own_video(app, caller, video_id).await?;
    if is_published(&row) {
        return Err(Error::AlreadyPublished);
    }
    if !store::delete_unpublished(&app.db, row.id).await? {
        // Published or deleted by a concurrent call since it was read.
        return match store::find(&app.db, row.id).await? {
            Some(_) => Err(Error::AlreadyPublished),
            None => Err(Error::NotFound),
        };
    }

    for kind in [MediaKind::Original, MediaKind::Processed, MediaKind::Poster] {
        remove_media(app, kind, row.id).await;
    }
    Ok(row.id)
}

// The row is already gone, so a file that cannot be removed is an orphan for the operator,
// not a reason to fail the player's request.
async fn remove_media(app: &App, kind: MediaKind, id: VideoId) {
    match tokio::fs::remove_file(app.storage.path(kind, id.0)).await {
        Ok(()) => {}
        Err(err) if err.kind() == io::ErrorKind::NotFound => {}
        Err(err) => tracing::warn!(error = %err, key = %kind.key(id.0), "media file left behind"),
    }
}

/// Makes one of the caller's processed videos public; publishing twice changes nothing.
pub(crate) async fn publish(app: &App, caller: UserId, video_id: &str) -> Result<Model> {
    let mut row = own_video(app, caller, video_id).await?;
    if !store::publish(&app.db, row.id).await? {
        return Err(Error::NotProcessed);
    }

    row.is_public = true;
    Ok(row)
}

/// A page of the public gallery with media URLs signed now.
pub(crate) async fn gallery(
    app: &App,
    request: &ListPublicVideosRequest,
) -> Result<Vec<PublicVideo>> {
    let limit = match request.limit {
        0 => DEFAULT_PAGE,
        limit if limit <= MAX_PAGE => limit,
        _ => {
            return Err(Error::InvalidParameter(format!(
                "limit must be between 1 and {MAX_PAGE}"
            )));
        }
    };
    // PostgreSQL rejects NUL in text; a control character is in no city name anyway. The
    // length bound matches the rankings' so both public lists refuse the same filters.
    if let Some(city) = request.city.as_deref().map(str::trim) {
        if city.chars().any(char::is_control) {
            return Err(Error::InvalidParameter(
                "city must not contain control characters".to_owned(),
            ));
        }
        if city.chars().count() > MAX_CITY_CHARS {
            return Err(Error::InvalidParameter(format!(
                "city must be at most {MAX_CITY_CHARS} characters"
            )));
        }
    }
    let city_key = request
        .city
        .as_deref()
        .map(player::city_key)
        .filter(|key| !key.is_empty());

    let rows = store::list_published(
        &app.db,
        city_key.as_deref(),
        u64::from(limit),
        u64::from(request.offset),
    )
    .await?;

    let now = Utc::now();
    Ok(rows
        .iter()
        .map(|row| view::public_view(row, &app.signer, now))
        .collect())
}

/// What `votes` needs to accept or refuse the caller's vote. Another player's private
/// video is reported as unknown, so its existence does not leak.
pub(crate) async fn votable(app: &App, caller: UserId, video_id: &str) -> Result<VotableVideo> {
    let id = VideoId::parse(video_id).ok_or(Error::NotFound)?;
    let row = store::find(&app.db, id).await?.ok_or(Error::NotFound)?;
    if row.owner_id != caller && !row.is_public {
        return Err(Error::NotFound);
    }

    Ok(view::votable_view(&row))
}
