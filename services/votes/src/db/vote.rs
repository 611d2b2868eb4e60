use sea_orm::entity::prelude::*;

use crate::ids::{UserId, VideoId, VoteId};

/// One user's vote for one video; the database refuses a second one (unique pair). The
/// owner columns are a snapshot of the video's owner taken when the vote was cast.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "votes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: VoteId,
    pub user_id: UserId,
    pub video_id: VideoId,
    pub created_at: DateTimeUtc,
    /// The player whose video received the vote.
    pub owner_id: UserId,
    /// The player's display name, "first last".
    pub owner_name: String,
    pub owner_city: String,
    /// `owner_city` folded by [`crate::city::fold`], which city filters compare.
    pub owner_city_key: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
