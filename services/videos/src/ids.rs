use std::fmt;

use sea_orm::{DbErr, DeriveValueType, TryFromU64};
use uuid::Uuid;

/// The id of a video: a UUID v7, so ids sort by upload time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, DeriveValueType)]
pub struct VideoId(pub Uuid);

/// The id of a player, as carried in the `sub` claim of their access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, DeriveValueType)]
pub struct UserId(pub Uuid);

/// The id of a processing request, returned to the uploader as `task_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, DeriveValueType)]
pub struct TaskId(pub Uuid);

impl VideoId {
    /// A fresh time-ordered id.
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }

    /// Parses a client-supplied id; anything that is not a UUID names no video.
    pub fn parse(text: &str) -> Option<Self> {
        Uuid::try_parse(text.trim()).ok().map(Self)
    }
}

// Required of primary keys; UUID keys are never generated from integers, so this refuses.
impl TryFromU64 for VideoId {
    fn try_from_u64(n: u64) -> Result<Self, DbErr> {
        Uuid::try_from_u64(n).map(Self)
    }
}

impl TaskId {
    /// A fresh time-ordered id.
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }
}

impl fmt::Display for VideoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
