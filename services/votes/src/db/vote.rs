use sea_orm::entity::prelude::*;

use crate::ids::{UserId, VideoId, VoteId};

/// One user's vote for one video; the database refuses a second one (unique pair).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "votes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: VoteId,
    pub user_id: UserId,
    pub video_id: VideoId,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
