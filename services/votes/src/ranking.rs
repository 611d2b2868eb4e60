//! Players ranked by the votes their videos received, read from Postgres (the source of
//! truth), grouped by the owner snapshot each vote carries. [`crate::view`] serves the same
//! order from Redis when it can.
//!
//! Tie rule: more votes first; equal votes are ordered by the player's display name
//! lower-cased by PostgreSQL and compared in byte order, then by user id. Positions are
//! 1-based and consecutive (players with equal votes still get distinct positions, in that
//! order). Cities match by their folded key ([`crate::city::fold`]).

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, FromQueryResult, Statement, Value};
use uuid::Uuid;

use crate::error::{Error, Result};

/// Page size when the caller gives none.
pub const DEFAULT_LIMIT: u32 = 20;
/// Largest page.
pub const MAX_LIMIT: u32 = 100;
/// Longest city filter accepted; no city name is near it.
pub const MAX_CITY_CHARS: usize = 100;

/// One page of rankings: `limit` players after the first `offset`, optionally one city.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub limit: u32,
    pub offset: u32,
    /// Compared case-insensitively with the player's city.
    pub city: Option<String>,
}

impl Page {
    /// The folded key of the city filter.
    pub fn city_key(&self) -> Option<String> {
        self.city.as_deref().map(crate::city::fold)
    }
}

impl Page {
    /// Validates a request; 0 means the default limit, an empty city means every city.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a limit above [`MAX_LIMIT`] or a city too long.
    pub fn parse(limit: u32, offset: u32, city: Option<String>) -> Result<Self> {
        let limit = match limit {
            0 => DEFAULT_LIMIT,
            1..=MAX_LIMIT => limit,
            _ => return Err(Error::InvalidParameter("limit must be between 1 and 100")),
        };
        let city = city
            .map(|city| city.trim().to_owned())
            .filter(|city| !city.is_empty());
        if city
            .as_ref()
            .is_some_and(|city| city.chars().count() > MAX_CITY_CHARS)
        {
            return Err(Error::InvalidParameter(
                "city must be at most 100 characters",
            ));
        }
        // PostgreSQL rejects NUL in text; a control character is in no city name anyway.
        if city
            .as_ref()
            .is_some_and(|city| city.chars().any(char::is_control))
        {
            return Err(Error::InvalidParameter(
                "city must not contain control characters",
            ));
        }
        Ok(Self {
            limit,
            offset,
            city,
        })
    }
}

/// One ranked player.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub position: u32,
    pub user_id: Uuid,
    pub username: String,
    pub city: String,
    pub votes: i64,
}

impl From<Ranked> for anb_proto::votes::v1::RankingEntry {
    fn from(ranked: Ranked) -> Self {
        Self {
            position: ranked.position,
            user_id: ranked.user_id.to_string(),
            username: ranked.username,
            city: ranked.city,
            votes: ranked.votes,
        }
    }
}

/// A player's committed vote count with what the Redis view needs to place and show them.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct PlayerScore {
    pub user_id: Uuid,
    pub votes: i64,
    pub username: String,
    /// `lower(username)` as PostgreSQL computes it, so Redis orders ties exactly as SQL does.
    pub sort_name: String,
    pub city: String,
    pub city_key: String,
}

// A player's name and city come from their newest vote's snapshot, so a player is one row
// even if a snapshot ever differs between votes. The city filter applies to that city.
const PLAYERS: &str = r#"
WITH players AS (
    SELECT owner_id,
           count(*) AS votes,
           (array_agg(owner_name ORDER BY created_at DESC, id DESC))[1] AS username,
           (array_agg(owner_city ORDER BY created_at DESC, id DESC))[1] AS city,
           (array_agg(owner_city_key ORDER BY created_at DESC, id DESC))[1] AS city_key
    FROM votes
    GROUP BY owner_id
)
SELECT owner_id AS user_id, votes, username, lower(username) AS sort_name, city, city_key
FROM players
"#;

const RANKED_PAGE: &str = r#"
WHERE $1::text IS NULL OR city_key = $1::text
ORDER BY votes DESC, lower(username) COLLATE "C" ASC, owner_id ASC
LIMIT $2 OFFSET $3
"#;

// Read after the votes committed, so of the counts concurrent writers send to Redis the
// largest is the true one (see `cache`). The tally is kept by a trigger on `votes` (see the
// `add_player_tallies` migration). `lower` runs in PostgreSQL so Redis breaks ties by the
// very bytes SQL compares.
const SOME_PLAYERS: &str = r"
SELECT o.id AS owner_id, lower(o.name) AS sort_name, tally.votes
FROM (VALUES {rows}) AS o(id, name)
JOIN player_tallies AS tally ON tally.owner_id = o.id
";

/// The players of `page`, in ranking order, from Postgres.
///
/// # Errors
/// Database errors.
pub async fn rankings(db: &DatabaseConnection, page: &Page) -> Result<Vec<Ranked>> {
    let statement = Statement::from_sql_and_values(
        DbBackend::Postgres,
        format!("{PLAYERS}{RANKED_PAGE}"),
        [
            Value::String(page.city_key()),
            i64::from(page.limit).into(),
            i64::from(page.offset).into(),
        ],
    );
    let rows = db.query_all_raw(statement).await?;

    rows.iter()
        .zip(page.offset..)
        .map(|(row, before)| {
            let row = PlayerScore::from_query_result(row, "")?;
            Ok(Ranked {
                position: before.saturating_add(1),
                user_id: row.user_id,
                username: row.username,
                city: row.city,
                votes: row.votes,
            })
        })
        .collect()
}

/// Every player with votes, for rebuilding and reconciling the Redis view.
///
/// TODO: loads all players at once — fine for thousands of players; a national vote with
/// millions would need paging here and in the reconcile script.
///
/// # Errors
/// Database errors.
pub async fn all_players(db: &DatabaseConnection) -> Result<Vec<PlayerScore>> {
    let statement = Statement::from_string(DbBackend::Postgres, PLAYERS);
    let rows = db.query_all_raw(statement).await?;
    rows.iter()
        .map(|row| PlayerScore::from_query_result(row, "").map_err(Error::from))
        .collect()
}

/// The committed counts of `owners` (distinct players), each shown with the snapshot of
/// the vote just cast.
///
/// # Errors
/// Database errors.
pub async fn player_scores(
    db: &DatabaseConnection,
    owners: &[crate::videos::Owner],
) -> Result<Vec<PlayerScore>> {
    if owners.is_empty() {
        return Ok(Vec::new());
    }
    let rows = (0..owners.len())
        .map(|index| format!("(${}::uuid, ${}::text)", 2 * index + 1, 2 * index + 2))
        .collect::<Vec<_>>()
        .join(", ");
    let values = owners.iter().flat_map(|owner| {
        [
            Value::from(owner.user_id.0),
            owner.display_name.clone().into(),
        ]
    });
    let statement = Statement::from_sql_and_values(
        DbBackend::Postgres,
        SOME_PLAYERS.replace("{rows}", &rows),
        values,
    );
    let mut found = HashMap::with_capacity(owners.len());
    for row in db.query_all_raw(statement).await? {
        let owner: Uuid = row.try_get("", "owner_id")?;
        let votes: i64 = row.try_get("", "votes")?;
        let sort_name: String = row.try_get("", "sort_name")?;
        found.insert(owner, (votes, sort_name));
    }
    owners
        .iter()
        .map(|owner| {
            let (votes, sort_name) = found.remove(&owner.user_id.0).ok_or_else(|| {
                sea_orm::DbErr::RecordNotFound("a player just voted for".to_owned())
            })?;
            Ok(PlayerScore {
                user_id: owner.user_id.0,
                votes,
                username: owner.display_name.clone(),
                sort_name,
                city: owner.city.clone(),
                city_key: crate::city::fold(&owner.city),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_zero_means_twenty_and_above_one_hundred_is_refused() {
        let default = Page::parse(0, 0, None).expect("valid page");
        let largest = Page::parse(100, 7, None).expect("valid page");

        assert_eq!(default.limit, 20);
        assert_eq!((largest.limit, largest.offset), (100, 7));
        assert!(matches!(
            Page::parse(101, 0, None),
            Err(Error::InvalidParameter(_))
        ));
    }

    #[test]
    fn a_blank_city_is_no_filter_and_a_huge_one_is_refused() {
        let blank = Page::parse(5, 0, Some("  ".to_owned())).expect("valid page");
        let padded = Page::parse(5, 0, Some(" Cali ".to_owned())).expect("valid page");

        assert_eq!(blank.city, None);
        assert_eq!(padded.city.as_deref(), Some("Cali"));
        assert!(matches!(
            Page::parse(5, 0, Some("x".repeat(101))),
            Err(Error::InvalidParameter(_))
        ));
    }

    #[test]
    fn a_city_with_a_control_character_is_refused_before_reaching_postgres() {
        for city in ["Ca\0li", "Ca\u{7}li"] {
            assert!(matches!(
                Page::parse(5, 0, Some(city.to_owned())),
                Err(Error::InvalidParameter(
                    "city must not contain control characters"
                ))
            ));
        }
    }
}
