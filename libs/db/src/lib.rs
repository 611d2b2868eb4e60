//! Each service owns one PostgreSQL schema and sees nothing else: connections set
//! `search_path` to that schema, so migrations, the migration bookkeeping table and every
//! query land there without schema-qualified names.
#![warn(missing_docs)]

use std::time::{Duration, Instant};

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};

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

/// Schema names are interpolated into SQL, so only `[a-z_][a-z0-9_]*` is accepted.
fn is_plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::is_plain_identifier;

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
