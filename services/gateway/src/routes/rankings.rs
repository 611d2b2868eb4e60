//! The public rankings (DESIGN §3 row 11): players ordered by the votes their videos
//! received, as the votes service ranks them (its tie rule: more votes first, then display
//! name case-insensitively, then user id; positions are consecutive). Pages are kept a
//! moment ([`crate::rankings_cache`]).

use anb_proto::votes::v1::{ListRankingsRequest, RankingEntry};
use axum::{
    body::Bytes,
    extract::{Query, State, rejection::QueryRejection},
    http::header,
    response::IntoResponse,
};
use serde::Serialize;

use super::paging::{self, Page, RawQuery};
use crate::{
    AppState,
    error::{GatewayError, Result},
    upstream,
};

/// One row of `GET /api/public/rankings`.
#[derive(Debug, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[schema(as = RankingEntry)]
pub(crate) struct Entry {
    position: u32,
    username: String,
    city: String,
    votes: i64,
    user_id: String,
}

impl From<RankingEntry> for Entry {
    fn from(entry: RankingEntry) -> Self {
        Self {
            position: entry.position,
            username: entry.username,
            city: entry.city,
            votes: entry.votes,
            user_id: entry.user_id,
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/public/rankings",
    operation_id = "listRankings",
    tag = "public",
    summary = "Players ranked by the votes their published videos received",
    params(
        ("limit" = Option<u32>, Query, description = "1 to 100, default 20"),
        ("offset" = Option<u32>, Query, description = "Rows to skip, default 0"),
        ("city" = Option<String>, Query, description = "Only players of this city; empty means all"),
    ),
    responses(
        (status = 200, description = "Most votes first; ties by display name case-insensitively, then user id", body = Vec<Entry>),
        (status = 400, description = "A parameter that is not a number in range (`invalid_parameter`)", body = crate::openapi::ApiError),
    )
)]
// No span of its own: the request's span says everything one would, and every span is work
// on each read of the hottest public page (docs/benchmarks.md).
pub(crate) async fn list(
    State(state): State<AppState>,
    query: Result<Query<RawQuery>, QueryRejection>,
) -> Result<impl IntoResponse> {
    let page = paging::parse(query)?;
    let key = (page.limit, page.offset, page.city.clone());
    let fetch = async {
        let ranked = state
            .upstreams
            .votes
            .clone()
            .list_rankings(upstream::request(request(page), None))
            .await?
            .into_inner();
        let entries: Vec<Entry> = ranked.entries.into_iter().map(Entry::from).collect();
        let body = serde_json::to_vec(&entries)
            .map_err(|err| GatewayError::Internal(format!("encoding rankings: {err}")))?;
        Ok::<_, GatewayError>(Bytes::from(body))
    };
    let body = state.rankings.get_or_fetch(key, fetch).await?;

    Ok(([(header::CONTENT_TYPE, "application/json")], body))
}

fn request(page: Page) -> ListRankingsRequest {
    ListRankingsRequest {
        limit: page.limit,
        offset: page.offset,
        city: page.city,
    }
}
