//! Writing votes and listing the caller's own. The unique (user_id, video_id) pair in the
//! database decides duplicates, so two votes racing each other count once. Votes arrive
//! here in batches gathered by [`crate::batch`]; after commit the players' scores move in
//! the Redis view ([`crate::view`]).

use std::collections::HashSet;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement, Value,
};

use crate::{
    db::vote,
    error::Result,
    ids::{UserId, VideoId, VoteId},
    videos::Owner,
};

/// Most video ids ListMyVotes answers: bounds the reply (about 40 bytes an id) of a very
/// active voter.
///
/// TODO: no paging for the caller's votes — a voter with more than 10 000 votes sees only the
/// newest 10 000.
pub const MAX_MY_VOTES: u64 = 10_000;

/// One vote about to be written, with the owner snapshot copied onto its row.
#[derive(Debug, Clone)]
pub struct NewVote {
    pub voter: UserId,
    pub video: VideoId,
    pub owner: Owner,
}

/// Most votes written by one statement: 8 parameters a row stays far below PostgreSQL's
/// 65 535, and a batch commits in about a millisecond.
pub const MAX_BATCH: usize = 256;

/// Writes `votes` in one statement and returns the (voter, video) pairs that were new. A
/// pair that already existed, or appears twice in `votes`, is skipped by the unique
/// constraint, so concurrent batches never count a vote twice.
///
/// # Errors
/// Database errors; then none of the batch was written.
pub async fn insert_votes(
    db: &DatabaseConnection,
    votes: &[NewVote],
) -> Result<HashSet<(UserId, VideoId)>> {
    if votes.is_empty() {
        return Ok(HashSet::new());
    }
    let now = chrono::Utc::now();
    let mut values = Vec::with_capacity(votes.len() * COLUMNS);
    let mut rows = Vec::with_capacity(votes.len());
    for (index, vote) in votes.iter().enumerate() {
        let first = index * COLUMNS + 1;
        let placeholders: Vec<String> = (first..first + COLUMNS).map(|n| format!("${n}")).collect();
        rows.push(format!("({})", placeholders.join(", ")));
        values.extend([
            Value::from(VoteId::generate().0),
            vote.voter.0.into(),
            vote.video.0.into(),
            now.into(),
            vote.owner.user_id.0.into(),
            vote.owner.display_name.clone().into(),
            vote.owner.city.clone().into(),
            crate::city::fold(&vote.owner.city).into(),
        ]);
    }
    let sql = format!(
        "INSERT INTO votes (id, user_id, video_id, created_at, owner_id, owner_name, owner_city, \
         owner_city_key) VALUES {} ON CONFLICT (user_id, video_id) DO NOTHING \
         RETURNING user_id, video_id",
        rows.join(", ")
    );
    let statement = Statement::from_sql_and_values(DbBackend::Postgres, sql, values);
    let inserted = db.query_all_raw(statement).await?;
    inserted
        .iter()
        .map(|row| {
            let voter: uuid::Uuid = row.try_get("", "user_id")?;
            let video: uuid::Uuid = row.try_get("", "video_id")?;
            Ok((UserId(voter), VideoId(video)))
        })
        .collect()
}

/// Columns of one vote row in [`insert_votes`].
const COLUMNS: usize = 8;

/// The videos `voter` voted for, newest vote first, at most [`MAX_MY_VOTES`].
///
/// # Errors
/// Database errors.
pub async fn my_votes(db: &DatabaseConnection, voter: UserId) -> Result<Vec<VideoId>> {
    let ids = vote::Entity::find()
        .select_only()
        .column(vote::Column::VideoId)
        .filter(vote::Column::UserId.eq(voter))
        .order_by_desc(vote::Column::CreatedAt)
        .order_by_desc(vote::Column::Id)
        .limit(MAX_MY_VOTES)
        .into_tuple::<VideoId>()
        .all(db)
        .await?;
    Ok(ids)
}
