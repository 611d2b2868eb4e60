//! Sign-up and log-in against the `users` table.

use anb_proto::auth::v1::User;
use chrono::{SecondsFormat, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    SqlErr,
};
use secrecy::{ExposeSecret, SecretString};

use crate::{
    db::user,
    error::{Error, Result},
    ids::UserId,
    password::Passwords,
    validation::{MAX_EMAIL_CHARS, MAX_PASSWORD_CHARS, NewAccount, normalize_email},
};

/// The constraint that makes emails unique regardless of case (see the first migration).
const UNIQUE_EMAIL_CONSTRAINT: &str = "users_email_normalized_key";

/// The accounts store.
#[derive(Clone)]
pub struct Accounts {
    db: DatabaseConnection,
    passwords: Passwords,
}

impl Accounts {
    /// Accounts in `db`, hashed with `passwords`.
    pub fn new(db: DatabaseConnection, passwords: Passwords) -> Self {
        Self { db, passwords }
    }

    /// Creates the account of a validated sign-up.
    ///
    /// # Errors
    /// [`Error::DuplicateEmail`] when the normalized email is taken, including by a
    /// concurrent sign-up; database and hashing errors otherwise.
    pub async fn sign_up(&self, account: NewAccount) -> Result<user::Model> {
        let password_hash = self.passwords.hash(account.password).await?;
        let row = user::ActiveModel {
            id: Set(UserId::generate()),
            first_name: Set(account.first_name),
            last_name: Set(account.last_name),
            email: Set(account.email),
            email_normalized: Set(account.email_normalized),
            password_hash: Set(password_hash),
            city: Set(account.city),
            country: Set(account.country),
            created_at: Set(Utc::now()),
        };

        row.insert(&self.db)
            .await
            .map_err(|err| match err.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(message))
                    if message.contains(UNIQUE_EMAIL_CONSTRAINT) =>
                {
                    Error::DuplicateEmail
                }
                _ => Error::from(err),
            })
    }

    /// The account whose email (any case) and password match.
    ///
    /// # Errors
    /// [`Error::InvalidCredentials`] for an unknown email and for a wrong password alike;
    /// database and hashing errors otherwise.
    pub async fn log_in(&self, email: &str, password: SecretString) -> Result<user::Model> {
        // Oversized input cannot belong to an account; refusing it early bounds the work
        // an anonymous caller can ask of Argon2.
        // PostgreSQL rejects NUL in text, and no stored email holds one.
        if email.trim().chars().count() > MAX_EMAIL_CHARS
            || email.contains('\0')
            || password.expose_secret().chars().count() > MAX_PASSWORD_CHARS
        {
            return Err(Error::InvalidCredentials);
        }
        let found = user::Entity::find()
            .filter(user::Column::EmailNormalized.eq(normalize_email(email)))
            .one(&self.db)
            .await?;

        // Verify even without an account (against a dummy hash): both refusals cost the same.
        let stored_hash = found.as_ref().map(|user| user.password_hash.clone());
        let verified = self.passwords.verify(password, stored_hash).await?;
        match found {
            Some(user) if verified => Ok(user),
            _ => Err(Error::InvalidCredentials),
        }
    }

    /// The account with `id`, if it exists.
    ///
    /// # Errors
    /// Database errors.
    pub async fn find(&self, id: UserId) -> Result<Option<user::Model>> {
        Ok(user::Entity::find_by_id(id).one(&self.db).await?)
    }
}

impl From<user::Model> for User {
    fn from(user: user::Model) -> Self {
        Self {
            user_id: user.id.to_string(),
            first_name: user.first_name,
            last_name: user.last_name,
            email: user.email,
            city: user.city,
            country: user.country,
            created_at: user.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        }
    }
}
