use std::fmt;

use sea_orm::{DbErr, DeriveValueType, TryFromU64};
use uuid::Uuid;

/// The id of an account: a UUID v7 (time-ordered, so the primary key index stays compact),
/// carried as the `sub` claim of its access tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, DeriveValueType)]
pub struct UserId(pub Uuid);

impl UserId {
    /// A fresh time-ordered id.
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

// sea-orm asks primary keys to accept an auto-increment id; ours are generated UUIDs.
impl TryFromU64 for UserId {
    fn try_from_u64(_: u64) -> Result<Self, DbErr> {
        Err(DbErr::ConvertFromU64("UserId"))
    }
}
