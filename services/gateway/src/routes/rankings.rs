//! The public rankings (DESIGN §3 row 11): players ordered by the votes their videos
//! received, as the votes service ranks them (its tie rule: more votes first, then display
//! name case-insensitively, then user id; positions are consecutive).

use anb_proto::votes::v1::{ListRankingsRequest, RankingEntry};
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
#[tracing::instrument(skip_all)]
pub(crate) async fn list(
    State(state): State<AppState>,
    query: Result<Query<RawQuery>, QueryRejection>,
) -> Result<axum::Json<Vec<Entry>>> {
    let request = parse(query)?;

    let ranked = state
        .upstreams
        .votes
        .clone()
        .list_rankings(upstream::request(request, None))
        .await?
        .into_inner();

    Ok(axum::Json(
        ranked.entries.into_iter().map(Entry::from).collect(),
    ))
}

fn parse(query: Result<Query<RawQuery>, QueryRejection>) -> Result<ListRankingsRequest> {
    let Query(raw) = query.map_err(|_| invalid("malformed query string"))?;
    let limit = match raw.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|limit| (1..=MAX_LIMIT).contains(limit))
            .ok_or_else(|| invalid("limit must be an integer between 1 and 100"))?,
    };
    let offset = match raw.offset.as_deref() {
        None => 0,
        Some(text) => text
            .parse::<u32>()
            .map_err(|_| invalid("offset must be a non-negative integer"))?,
    };
    Ok(ListRankingsRequest {
        limit,
        offset,
        city: raw.city,
    })
}

fn invalid(message: &'static str) -> GatewayError {
    GatewayError::bad_request("invalid_parameter", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_fields(limit: Option<&str>, offset: Option<&str>) -> Result<ListRankingsRequest> {
        parse(Ok(Query(RawQuery {
            limit: limit.map(str::to_owned),
            offset: offset.map(str::to_owned),
            city: None,
        })))
    }

    #[test]
    fn absent_parameters_mean_the_first_twenty() {
        let request = parse_fields(None, None).expect("valid query");

        assert_eq!((request.limit, request.offset), (20, 0));
    }

    #[test]
    fn limits_outside_one_to_one_hundred_and_bad_offsets_are_refused() {
        for (limit, offset) in [
            (Some("0"), None),
            (Some("101"), None),
            (Some("-1"), None),
            (Some("ten"), None),
            (Some(""), None),
            (None, Some("-5")),
            (None, Some("1.5")),
            (None, Some("99999999999")),
        ] {
            assert!(
                parse_fields(limit, offset).is_err(),
                "limit {limit:?} offset {offset:?} accepted"
            );
        }
        assert_eq!(
            parse_fields(Some("100"), Some("3"))
                .map(|r| (r.limit, r.offset))
                .ok(),
            Some((100, 3))
        );
    }
}
