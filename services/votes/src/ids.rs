use std::fmt;

use sea_orm::{DbErr, DeriveValueType, TryFromU64};
use uuid::Uuid;

/// The id of one vote row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, DeriveValueType)]
pub struct VoteId(pub Uuid);

/// The voter, as carried in the `sub` claim of their access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, DeriveValueType)]
pub struct UserId(pub Uuid);

/// The video voted for (owned by the videos service; no foreign key across schemas).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, DeriveValueType)]
pub struct VideoId(pub Uuid);

impl VoteId {
    /// A fresh time-ordered id.
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }
}

impl VideoId {
    /// Parses a client-supplied id in any form `uuid` accepts.
    pub fn parse(text: &str) -> Option<Self> {
        Uuid::try_parse(text).ok().map(Self)
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for VideoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

// sea-orm asks primary keys to accept an auto-increment id; ours are generated UUIDs.
impl TryFromU64 for VoteId {
    fn try_from_u64(_: u64) -> Result<Self, DbErr> {
        Err(DbErr::ConvertFromU64("VoteId"))
    }
}
