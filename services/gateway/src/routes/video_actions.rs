//! What a player does with one of their own videos: delete it (DESIGN §3 row 8) or publish
//! it for voting (`POST /api/videos/{video_id}/publish`, this project's addition).

use anb_proto::{
    videos::v1::{DeleteVideoRequest, PublishVideoRequest},
    votes::v1::CountVotesRequest,
};
use axum::extract::{Path, State, rejection::PathRejection};
use serde::Serialize;

use crate::{
    AppState,
    error::Result,
    extract::Caller,
    routes::videos::{VideoDetail, parse_video_id},
    upstream,
};

/// `DELETE /api/videos/{video_id}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Deleted {
    message: &'static str,
    video_id: String,
}

#[utoipa::path(
    delete,
    path = "/api/videos/{video_id}",
    operation_id = "deleteVideo",
    tag = "videos",
    summary = "Delete a video not published for voting, with its files",
    params(("video_id" = uuid::Uuid, Path, description = "The video's id; anything else is 404")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Deleted", body = Deleted),
        (status = 400, description = "Already published for voting", body = crate::openapi::ApiError),
        (status = 401, description = "Missing, malformed, expired, revoked or forged token", body = crate::openapi::ApiError),
        (status = 403, description = "Another player's video", body = crate::openapi::ApiError),
        (status = 404, description = "No such video (ids that are not UUIDs included)", body = crate::openapi::ApiError),
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %caller.identity.user_id, video_id))]
pub(crate) async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    video_id: Result<Path<String>, PathRejection>,
) -> Result<axum::Json<Deleted>> {
    let video_id = parse_video_id(video_id)?;
    tracing::Span::current().record("video_id", tracing::field::display(video_id));

    let request = DeleteVideoRequest {
        video_id: video_id.to_string(),
    };
    let deleted = state
        .upstreams
        .videos
        .clone()
        .delete_video(upstream::request(request, Some(&caller.authorization)))
        .await?
        .into_inner();

    Ok(axum::Json(Deleted {
        message: "video deleted",
        video_id: deleted.video_id,
    }))
}

#[utoipa::path(
    post,
    path = "/api/videos/{video_id}/publish",
    operation_id = "publishVideo",
    tag = "videos",
    summary = "Make a processed video public, published for voting; idempotent",
    params(("video_id" = uuid::Uuid, Path, description = "The video's id; anything else is 404")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Published; the video as it is now", body = VideoDetail),
        (status = 400, description = "Not processed yet (`not_processed`)", body = crate::openapi::ApiError),
        (status = 401, description = "Missing, malformed, expired, revoked or forged token", body = crate::openapi::ApiError),
        (status = 403, description = "Another player's video", body = crate::openapi::ApiError),
        (status = 404, description = "No such video (ids that are not UUIDs included)", body = crate::openapi::ApiError),
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %caller.identity.user_id, video_id))]
pub(crate) async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    video_id: Result<Path<String>, PathRejection>,
) -> Result<axum::Json<VideoDetail>> {
    let video_id = parse_video_id(video_id)?;
    tracing::Span::current().record("video_id", tracing::field::display(video_id));
    let id = video_id.to_string();

    let request = PublishVideoRequest {
        video_id: id.clone(),
    };
    let video = state
        .upstreams
        .videos
        .clone()
        .publish_video(upstream::request(request, Some(&caller.authorization)))
        .await?
        .into_inner();
    let count = CountVotesRequest {
        video_ids: vec![id.clone()],
    };
    let votes = state
        .upstreams
        .votes
        .clone()
        .count_votes(upstream::request(count, Some(&caller.authorization)))
        .await?
        .into_inner()
        .votes
        .get(&id)
        .copied()
        .unwrap_or(0);

    Ok(axum::Json(VideoDetail::new(video, votes)))
}
