//! Voting (DESIGN §3 row 10) and the caller's own votes (row 12), served by the votes
//! service, which asks videos whether the video may receive votes.

use anb_proto::votes::v1::{CastVoteRequest, ListMyVotesRequest};
use axum::extract::{Path, State, rejection::PathRejection};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    AppState,
    error::{GatewayError, Result},
    extract::Caller,
    upstream,
};

/// `POST /api/public/videos/{video_id}/vote`.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Voted {
    message: &'static str,
}

#[utoipa::path(
    post,
    path = "/api/public/videos/{video_id}/vote",
    operation_id = "castVote",
    tag = "public",
    summary = "Vote for a video, once per user",
    params(("video_id" = uuid::Uuid, Path, description = "The video's id; anything else is 404")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Vote recorded", body = Voted),
        (status = 400, description = "Already voted, or the video is not processed yet", body = crate::openapi::ApiError),
        (status = 401, description = "Missing, malformed, expired, revoked or forged token", body = crate::openapi::ApiError),
        (status = 404, description = "No such video, or another player's private one", body = crate::openapi::ApiError),
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %caller.identity.user_id, video_id))]
pub(crate) async fn cast(
    State(state): State<AppState>,
    caller: Caller,
    video_id: Result<Path<String>, PathRejection>,
) -> Result<axum::Json<Voted>> {
    let video_id = parse_video_id(video_id)?;
    tracing::Span::current().record("video_id", tracing::field::display(video_id));

    let request = upstream::request(
        CastVoteRequest {
            video_id: video_id.to_string(),
        },
        Some(&caller.authorization),
    );
    state.upstreams.votes.clone().cast_vote(request).await?;
    state.rankings.invalidate();

    Ok(axum::Json(Voted {
        message: "vote recorded",
    }))
}

/// `GET /api/user/votes`: a plain JSON array of the ids of the videos the caller voted
/// for, newest vote first.
#[utoipa::path(
    get,
    path = "/api/user/votes",
    operation_id = "listMyVotes",
    tag = "public",
    summary = "Ids of the videos the caller voted for, newest vote first",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Video ids", body = Vec<uuid::Uuid>),
        (status = 401, description = "Missing, malformed, expired, revoked or forged token", body = crate::openapi::ApiError),
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %caller.identity.user_id))]
pub(crate) async fn mine(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<String>>> {
    let request = upstream::request(ListMyVotesRequest {}, Some(&caller.authorization));
    let votes = state
        .upstreams
        .votes
        .clone()
        .list_my_votes(request)
        .await?
        .into_inner();

    Ok(axum::Json(votes.video_ids))
}

/// Ids that are not UUIDs name no video: 404, as for any other unknown id.
fn parse_video_id(raw: Result<Path<String>, PathRejection>) -> Result<Uuid> {
    let not_found = || GatewayError::not_found("video_not_found", "no such video");
    let Path(raw) = raw.map_err(|_| not_found())?;
    Uuid::try_parse(&raw).map_err(|_| not_found())
}
