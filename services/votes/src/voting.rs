//! Casting votes and listing the caller's own. The unique (user_id, video_id) pair in the
//! database decides duplicates, so two votes racing each other count once.
//! Votes are rate-limited per user before any of this runs ([`crate::limiter`]), and after
//! commit the player's score moves in the Redis view ([`crate::view`]).

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, SqlErr,
};

use crate::{
    db::vote,
    error::{Error, Result},
    ids::{UserId, VideoId, VoteId},
    videos::Owner,
};

/// Most video ids ListMyVotes answers: bounds the reply (about 40 bytes an id) of a very
/// active voter.
///
/// TODO: no paging for the caller's votes — a voter with more than 10 000 votes sees only the
/// newest 10 000.
pub const MAX_MY_VOTES: u64 = 10_000;

/// Records `voter`'s vote for `video` of `owner`.
///
/// # Errors
/// [`Error::AlreadyVoted`] when the pair exists (also when another call inserted it a moment
/// earlier); database errors.
pub async fn record_vote(
    db: &DatabaseConnection,
    voter: UserId,
    video: VideoId,
    owner: &Owner,
) -> Result<()> {
    let row = vote::ActiveModel {
        id: Set(VoteId::generate()),
        user_id: Set(voter),
        video_id: Set(video),
        created_at: Set(chrono::Utc::now()),
        owner_id: Set(owner.user_id),
        owner_name: Set(owner.display_name.clone()),
        owner_city: Set(owner.city.clone()),
        owner_city_key: Set(crate::city::fold(&owner.city)),
    };
    match row.insert(db).await {
        Ok(_) => Ok(()),
        Err(err) if is_unique_violation(&err) => Err(Error::AlreadyVoted),
        Err(err) => Err(err.into()),
    }
}

/// Whether `voter` has voted for `video`, so a repeat vote is refused without asking videos.
///
/// # Errors
/// Database errors.
pub async fn has_voted(db: &DatabaseConnection, voter: UserId, video: VideoId) -> Result<bool> {
    let found = vote::Entity::find()
        .select_only()
        .column(vote::Column::Id)
        .filter(vote::Column::UserId.eq(voter))
        .filter(vote::Column::VideoId.eq(video))
        .into_tuple::<VoteId>()
        .one(db)
        .await?;
    Ok(found.is_some())
}

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

fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}
