//! A player's own videos (DESIGN §3 rows 6 and 7), from the videos service, with vote
//! counts from the votes service.

use anb_proto::{
    videos::v1::{GetVideoRequest, ListMyVideosRequest, Video, VideoStatus},
    votes::v1::CountVotesRequest,
};
use axum::extract::{Path, State, rejection::PathRejection};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    AppState,
    error::{GatewayError, Result},
    extract::Caller,
    upstream,
};

/// One row of `GET /api/videos`.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct VideoSummary {
    video_id: String,
    title: String,
    #[schema(value_type = crate::openapi::VideoStatus)]
    status: &'static str,
    is_public: bool,
    uploaded_at: String,
    processed_at: Option<String>,
    processed_url: Option<String>,
}

impl From<Video> for VideoSummary {
    fn from(video: Video) -> Self {
        Self {
            status: status_word(video.status()),
            video_id: video.video_id,
            title: video.title,
            is_public: video.is_public,
            uploaded_at: video.uploaded_at,
            processed_at: video.processed_at,
            processed_url: video.processed_url,
        }
    }
}

/// `GET /api/videos/{video_id}`.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct VideoDetail {
    video_id: String,
    title: String,
    #[schema(value_type = crate::openapi::VideoStatus)]
    status: &'static str,
    is_public: bool,
    uploaded_at: String,
    processed_at: Option<String>,
    original_url: Option<String>,
    processed_url: Option<String>,
    poster_url: Option<String>,
    votes: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_reason: Option<String>,
}

impl VideoDetail {
    pub(crate) fn new(video: Video, votes: i64) -> Self {
        Self {
            status: status_word(video.status()),
            video_id: video.video_id,
            title: video.title,
            is_public: video.is_public,
            uploaded_at: video.uploaded_at,
            processed_at: video.processed_at,
            original_url: video.original_url,
            processed_url: video.processed_url,
            poster_url: video.poster_url,
            votes,
            failure_reason: video.failure_reason,
        }
    }
}

/// The contract's lowercase status words.
fn status_word(status: VideoStatus) -> &'static str {
    match status {
        VideoStatus::Uploaded => "uploaded",
        VideoStatus::Processing => "processing",
        VideoStatus::Processed => "processed",
        VideoStatus::Failed => "failed",
        // Only a videos release newer than this gateway could send it.
        VideoStatus::Unspecified => "unknown",
    }
}

#[utoipa::path(
    get,
    path = "/api/videos",
    operation_id = "listMyVideos",
    tag = "videos",
    summary = "The caller's own videos",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Newest first", body = Vec<VideoSummary>),
        (status = 401, description = "Missing, malformed, expired, revoked or forged token", body = crate::openapi::ApiError),
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %caller.identity.user_id))]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<VideoSummary>>> {
    let request = upstream::request(ListMyVideosRequest {}, Some(&caller.authorization));
    let videos = state
        .upstreams
        .videos
        .clone()
        .list_my_videos(request)
        .await?
        .into_inner();

    Ok(axum::Json(
        videos.videos.into_iter().map(VideoSummary::from).collect(),
    ))
}

#[utoipa::path(
    get,
    path = "/api/videos/{video_id}",
    operation_id = "getVideo",
    tag = "videos",
    summary = "One of the caller's videos, with signed media links",
    params(("video_id" = uuid::Uuid, Path, description = "The video's id; anything else is 404")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The video", body = VideoDetail),
        (status = 401, description = "Missing, malformed, expired, revoked or forged token", body = crate::openapi::ApiError),
        (status = 403, description = "Another player's video", body = crate::openapi::ApiError),
        (status = 404, description = "No such video (ids that are not UUIDs included)", body = crate::openapi::ApiError),
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %caller.identity.user_id, video_id))]
pub(crate) async fn show(
    State(state): State<AppState>,
    caller: Caller,
    video_id: Result<Path<String>, PathRejection>,
) -> Result<axum::Json<VideoDetail>> {
    let video_id = parse_video_id(video_id)?;
    tracing::Span::current().record("video_id", tracing::field::display(video_id));
    let id = video_id.to_string();

    let get = upstream::request(
        GetVideoRequest {
            video_id: id.clone(),
        },
        Some(&caller.authorization),
    );
    let count = upstream::request(
        CountVotesRequest {
            video_ids: vec![id.clone()],
        },
        Some(&caller.authorization),
    );
    let mut videos = state.upstreams.videos.clone();
    let mut votes = state.upstreams.votes.clone();
    // Both calls run at once; the video's answer decides first so a 403/404 never depends
    // on the votes service.
    let (video, counts) = tokio::join!(videos.get_video(get), votes.count_votes(count));
    let video = video?.into_inner();
    let votes = counts?.into_inner().votes.get(&id).copied().unwrap_or(0);

    Ok(axum::Json(VideoDetail::new(video, votes)))
}

/// Ids that are not UUIDs name no video: 404, as for any other unknown id.
pub(crate) fn parse_video_id(raw: Result<Path<String>, PathRejection>) -> Result<Uuid> {
    let not_found = || GatewayError::not_found("video_not_found", "no such video");
    let Path(raw) = raw.map_err(|_| not_found())?;
    Uuid::try_parse(&raw).map_err(|_| not_found())
}
