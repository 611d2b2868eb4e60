//! The public gallery (DESIGN §3 row 9): videos published for voting, with their player as
//! they signed up and vote counts from the votes service. A token is neither needed nor
//! read, so a stale one cannot break browsing.

use anb_proto::{
    videos::v1::{ListPublicVideosRequest, PublicVideo},
    votes::v1::CountVotesRequest,
};
use axum::extract::{Query, State, rejection::QueryRejection};
use serde::Serialize;

use super::paging::{self, Page, RawQuery};
use crate::{AppState, error::Result, upstream};

/// One item of `GET /api/public/videos`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct GalleryItem {
    video_id: String,
    title: String,
    player: Player,
    processed_at: String,
    processed_url: String,
    poster_url: String,
    votes: i64,
}

#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
struct Player {
    first_name: String,
    last_name: String,
    city: String,
    country: String,
}

impl GalleryItem {
    fn new(video: PublicVideo, votes: i64) -> Self {
        let player = video.player.map_or_else(Player::default, |player| Player {
            first_name: player.first_name,
            last_name: player.last_name,
            city: player.city,
            country: player.country,
        });
        Self {
            video_id: video.video_id,
            title: video.title,
            player,
            processed_at: video.processed_at,
            processed_url: video.processed_url,
            poster_url: video.poster_url,
            votes,
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/public/videos",
    operation_id = "listPublicVideos",
    tag = "public",
    summary = "Videos published for voting, newest first; no token needed",
    params(
        ("limit" = Option<u32>, Query, description = "1 to 100, default 20"),
        ("offset" = Option<u32>, Query, description = "Rows to skip, default 0"),
        ("city" = Option<String>, Query, description = "Only players of this city; empty means all"),
    ),
    responses(
        (status = 200, description = "A page of the gallery", body = Vec<GalleryItem>),
        (status = 400, description = "A parameter that is not a number in range (`invalid_parameter`)", body = crate::openapi::ApiError),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn list(
    State(state): State<AppState>,
    query: Result<Query<RawQuery>, QueryRejection>,
) -> Result<axum::Json<Vec<GalleryItem>>> {
    let request = request(paging::parse(query)?);

    let videos = state
        .upstreams
        .videos
        .clone()
        .list_public_videos(upstream::request(request, None))
        .await?
        .into_inner()
        .videos;
    let video_ids = videos.iter().map(|video| video.video_id.clone()).collect();
    let counts = state
        .upstreams
        .votes
        .clone()
        .count_votes(upstream::request(CountVotesRequest { video_ids }, None))
        .await?
        .into_inner()
        .votes;

    let items = videos
        .into_iter()
        .map(|video| {
            let votes = counts.get(&video.video_id).copied().unwrap_or(0);
            GalleryItem::new(video, votes)
        })
        .collect();
    Ok(axum::Json(items))
}

fn request(page: Page) -> ListPublicVideosRequest {
    ListPublicVideosRequest {
        limit: page.limit,
        offset: page.offset,
        city: page.city,
    }
}
