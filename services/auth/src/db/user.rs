use sea_orm::entity::prelude::*;

use crate::ids::UserId;

/// One player account.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: UserId,
    pub first_name: String,
    pub last_name: String,
    /// As the player typed it (trimmed), for display and mail.
    pub email: String,
    /// Trimmed and lowercased; the unique key that makes sign-up case-insensitive.
    #[sea_orm(unique)]
    pub email_normalized: String,
    /// Argon2id PHC string (`$argon2id$v=19$...`).
    pub password_hash: String,
    pub city: String,
    pub country: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
