//! The public gallery (DESIGN §3 row 9): videos published for voting, with their player as
//! they signed up and vote counts from the votes service. A token is neither needed nor
//! read, so a stale one cannot break browsing.

use anb_proto::{
    videos::v1::{ListPublicVideosRequest, PublicVideo},
    votes::v1::CountVotesRequest,
};
use axum::extract::{Query, State, rejection::QueryRejection};
use serde::{Deserialize, Serialize};

use crate::{
    AppState,
    error::{GatewayError, Result},
    upstream,
};

const DEFAULT_LIMIT: u32 = 20;
const MAX_LIMIT: u32 = 100;

/// The query string as sent; numbers are parsed by hand so every mistake is a 400
/// `invalid_parameter` naming the parameter.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawQuery {
    limit: Option<String>,
    offset: Option<String>,
    city: Option<String>,
}

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
    let request = parse(query)?;

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

fn parse(query: Result<Query<RawQuery>, QueryRejection>) -> Result<ListPublicVideosRequest> {
    let Query(raw) = query.map_err(|_| invalid("malformed query string"))?;
    let limit = match raw.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(text) => text
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|limit| (1..=MAX_LIMIT).contains(limit))
            .ok_or_else(|| invalid("limit must be an integer between 1 and 100"))?,
    };
    let offset = match raw.offset.as_deref() {
        None => 0,
        Some(text) => text
            .trim()
            .parse::<u32>()
            .map_err(|_| invalid("offset must be a non-negative integer"))?,
    };
    // An empty `city=` (a blank form field) means every city.
    let city = raw.city.filter(|city| !city.trim().is_empty());

    Ok(ListPublicVideosRequest {
        limit,
        offset,
        city,
    })
}

fn invalid(message: &'static str) -> GatewayError {
    GatewayError::bad_request("invalid_parameter", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_fields(
        limit: Option<&str>,
        offset: Option<&str>,
        city: Option<&str>,
    ) -> Result<ListPublicVideosRequest> {
        parse(Ok(Query(RawQuery {
            limit: limit.map(str::to_owned),
            offset: offset.map(str::to_owned),
            city: city.map(str::to_owned),
        })))
    }

    #[test]
    fn absent_parameters_mean_the_newest_twenty_of_every_city() {
        let request = parse_fields(None, None, Some(" ")).expect("valid query");

        assert_eq!((request.limit, request.offset, request.city), (20, 0, None));
    }

    #[test]
    fn bad_limits_and_offsets_are_refused_naming_the_parameter() {
        for (limit, offset, named) in [
            (Some("0"), None, "limit"),
            (Some("101"), None, "limit"),
            (Some("ten"), None, "limit"),
            (None, Some("-1"), "offset"),
            (None, Some("1.5"), "offset"),
        ] {
            let err = parse_fields(limit, offset, None).expect_err("invalid query");
            assert!(
                matches!(&err, GatewayError::BadRequest { code: "invalid_parameter", message }
                    if message.starts_with(named)),
                "{limit:?} {offset:?}: {err}"
            );
        }
    }
}
