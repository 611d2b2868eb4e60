//! Each service owns one PostgreSQL schema and sees nothing else: connections set
//! `search_path` to that schema, so migrations, the migration bookkeeping table and every
//! query land there without schema-qualified names. Migrations are plain SQL scripts run
//! through [`SqlMigration`].
#![warn(missing_docs)]

mod migration;

use std::time::{Duration, Instant};

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};

pub use crate::migration::SqlMigration;

/// Connects to `url` with `search_path` set to `schema`, creating the schema if needed.
///
/// Retries for up to `wait`, since on a fresh host the database may still be starting.
///
/// # Errors
/// The last connection error once `wait` has passed, or the error of creating the schema.
pub async fn connect(url: &str, schema: &str, wait: Duration) -> Result<DatabaseConnection, DbErr> {
    if !is_plain_identifier(schema) {
        return Err(DbErr::Custom(format!(
            "schema name {schema:?} is not a plain identifier"
        )));
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .set_schema_search_path(schema.to_owned())
        .max_connections(16)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false);

    let deadline = Instant::now() + wait;
    let connection = loop {
        match Database::connect(options.clone()).await {
            Ok(connection) => break connection,
            Err(err) if Instant::now() < deadline => {
                tracing::warn!(error = %err, "database not reachable yet, retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(err) => return Err(err),
        }
    };

    connection
        .execute_unprepared(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
        .await?;
    Ok(connection)
}

/// Whether `err` means the database could not be reached in time (pool exhausted, connection
/// lost or refused): an outage a client may retry, unlike a failing query.
pub fn is_unavailable(err: &DbErr) -> bool {
    matches!(err, DbErr::ConnectionAcquire(_) | DbErr::Conn(_))
}

/// Whether `name` may be a schema name: schema names are interpolated into SQL, so only
/// `[a-z_][a-z0-9_]*` is accepted. Services check it while validating their configuration,
/// so a bad name stops start-up with a usage error before anything connects.
pub fn is_plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use sea_orm::{DbErr, RuntimeErr, error::ConnAcquireErr};

    use super::{is_plain_identifier, is_unavailable};

    #[test]
    fn only_unreachable_databases_count_as_unavailable() {
        let pool = DbErr::ConnectionAcquire(ConnAcquireErr::Timeout);
        let refused = DbErr::Conn(RuntimeErr::Internal("connection refused".to_owned()));
        let query = DbErr::Custom("relation votes does not exist".to_owned());

        assert!(is_unavailable(&pool));
        assert!(is_unavailable(&refused));
        assert!(!is_unavailable(&query));
    }

    #[test]
    fn schema_names_with_quotes_or_capitals_are_rejected() {
        assert!(is_plain_identifier("auth"));
        assert!(is_plain_identifier("test_videos_42"));
        assert!(!is_plain_identifier("auth\"; drop"));
        assert!(!is_plain_identifier("Auth"));
        assert!(!is_plain_identifier("9lives"));
        assert!(!is_plain_identifier(""));
    }
}
