use std::{net::SocketAddr, time::Duration};

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;

/// The `anb-votes` command line; every option can also come from its environment variable.
#[derive(Debug, Parser)]
#[command(name = "anb-votes", version, about = "ANB votes and rankings")]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
    /// Address the Prometheus metrics endpoint (`GET /metrics`) binds. Kept apart from
    /// [`Config`] because only the binary binds it; the service itself never sees it.
    #[arg(long, env = "VOTES_METRICS_ADDR", default_value = "127.0.0.1:9183")]
    pub metrics_addr: SocketAddr,
}

/// The two ways to run the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Apply pending database migrations to the schema, then exit.
    Migrate,
    /// Serve the gRPC API (the default).
    Serve,
}

/// Settings of the votes service.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address the gRPC server binds.
    #[arg(long, env = "VOTES_LISTEN_ADDR", default_value = "127.0.0.1:50053")]
    pub listen_addr: SocketAddr,

    /// PostgreSQL URL (may contain credentials; never logged).
    #[arg(long, env = "VOTES_DATABASE_URL", hide_env_values = true)]
    pub database_url: SecretString,

    /// Schema holding the service's tables; created when missing.
    #[arg(long, env = "VOTES_DATABASE_SCHEMA", default_value = "votes")]
    pub database_schema: String,

    /// How long start-up keeps retrying an unreachable database before giving up.
    #[arg(long, env = "VOTES_DATABASE_WAIT_SECS", default_value_t = 30)]
    pub database_wait_secs: u64,

    /// The auth service, whose published keys verify callers' access tokens.
    #[arg(long, env = "VOTES_AUTH_URL", default_value = "http://127.0.0.1:50051")]
    pub auth_url: String,

    /// The videos service, asked whether a video may receive votes and who owns it.
    #[arg(
        long,
        env = "VOTES_VIDEOS_URL",
        default_value = "http://127.0.0.1:50052"
    )]
    pub videos_url: String,

    /// Redis holding the tokens revoked by log-out, the ranking view, its change channel and
    /// the vote rate limits (may contain credentials; never logged). When it does not
    /// answer, tokens are accepted without the revocation check (see anb-identity), votes
    /// without the rate limit, and rankings come from Postgres.
    #[arg(
        long,
        env = "VOTES_REDIS_URL",
        default_value = "redis://127.0.0.1:6379",
        hide_env_values = true
    )]
    pub redis_url: String,

    /// Redis key prefix under which auth lists revoked tokens; must equal
    /// `AUTH_REDIS_PREFIX`. The ranking keys live under `<prefix>:votes:`.
    #[arg(long, env = "VOTES_REDIS_PREFIX", default_value = "anb")]
    pub redis_prefix: String,

    /// Seconds between checks that the Redis ranking view equals Postgres (drift is
    /// repaired). A missing view is rebuilt at once whatever this says.
    #[arg(long, env = "VOTES_RECONCILE_INTERVAL_SECS", default_value_t = 60)]
    pub reconcile_interval_secs: u64,

    /// Vote attempts one user may make per window; 0 turns the limit off.
    #[arg(long, env = "VOTES_RATE_LIMIT_VOTES", default_value_t = 60)]
    pub rate_limit_votes: u32,

    /// Length of the vote rate-limit window.
    #[arg(long, env = "VOTES_RATE_LIMIT_WINDOW_SECS", default_value_t = 60)]
    pub rate_limit_window_secs: u64,

    /// Least time between two snapshots WatchRankings sends one watcher.
    #[arg(long, env = "VOTES_WATCH_COALESCE_MS", default_value_t = 250)]
    pub watch_coalesce_ms: u64,

    /// Watchers re-check their rankings this often even without a change announcement
    /// (announcements sent while the subscription was reconnecting are lost).
    #[arg(long, env = "VOTES_WATCH_POLL_SECS", default_value_t = 5)]
    pub watch_poll_secs: u64,

    /// How long in-flight calls may run after a shutdown signal before the server stops.
    #[arg(long, env = "VOTES_SHUTDOWN_GRACE_SECS", default_value_t = 10)]
    pub shutdown_grace_secs: u64,
}

/// A setting that cannot work, found before anything is bound or connected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// The schema name is interpolated into SQL by `anb-db`.
    #[error("VOTES_DATABASE_SCHEMA must match [a-z_][a-z0-9_]*")]
    Schema,
    /// A zero interval would spin.
    #[error("{0} must be at least 1")]
    Zero(&'static str),
}

impl Config {
    /// Checks the settings.
    ///
    /// # Errors
    /// The first setting that cannot work.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !anb_db::is_plain_identifier(&self.database_schema) {
            return Err(ConfigError::Schema);
        }
        let positive = [
            (
                "VOTES_RECONCILE_INTERVAL_SECS",
                self.reconcile_interval_secs,
            ),
            ("VOTES_RATE_LIMIT_WINDOW_SECS", self.rate_limit_window_secs),
            ("VOTES_WATCH_COALESCE_MS", self.watch_coalesce_ms),
            ("VOTES_WATCH_POLL_SECS", self.watch_poll_secs),
        ];
        if let Some((name, _)) = positive.iter().find(|(_, value)| *value == 0) {
            return Err(ConfigError::Zero(name));
        }
        Ok(())
    }

    /// [`Self::database_wait_secs`] as a duration.
    pub fn database_wait(&self) -> Duration {
        Duration::from_secs(self.database_wait_secs)
    }

    /// [`Self::reconcile_interval_secs`] as a duration.
    pub fn reconcile_interval(&self) -> Duration {
        Duration::from_secs(self.reconcile_interval_secs)
    }

    /// [`Self::rate_limit_window_secs`] as a duration.
    pub fn rate_limit_window(&self) -> Duration {
        Duration::from_secs(self.rate_limit_window_secs)
    }

    /// [`Self::watch_coalesce_ms`] as a duration.
    pub fn watch_coalesce(&self) -> Duration {
        Duration::from_millis(self.watch_coalesce_ms)
    }

    /// [`Self::watch_poll_secs`] as a duration.
    pub fn watch_poll(&self) -> Duration {
        Duration::from_secs(self.watch_poll_secs)
    }

    /// [`Self::shutdown_grace_secs`] as a duration.
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_serve_on_the_votes_port_and_schema() {
        let cli = Cli::try_parse_from(["anb-votes", "--database-url", "postgres://x"])
            .expect("valid arguments");

        assert_eq!(cli.command, None);
        assert_eq!(cli.config.listen_addr.port(), 50053);
        assert_eq!(cli.config.database_schema, "votes");
        assert_eq!(cli.config.reconcile_interval_secs, 60);
        assert_eq!(
            (
                cli.config.rate_limit_votes,
                cli.config.rate_limit_window_secs
            ),
            (60, 60)
        );
        assert_eq!(cli.config.validate(), Ok(()));
    }

    #[test]
    fn schema_names_that_are_not_plain_identifiers_are_refused() {
        let cli = Cli::try_parse_from([
            "anb-votes",
            "--database-url",
            "postgres://x",
            "--database-schema",
            "votes\"",
            "migrate",
        ])
        .expect("valid arguments");

        assert_eq!(cli.command, Some(Command::Migrate));
        assert_eq!(cli.config.validate(), Err(ConfigError::Schema));
    }

    #[test]
    fn a_zero_reconcile_interval_is_refused() {
        let cli = Cli::try_parse_from([
            "anb-votes",
            "--database-url",
            "postgres://x",
            "--reconcile-interval-secs",
            "0",
        ])
        .expect("valid arguments");

        assert_eq!(
            cli.config.validate(),
            Err(ConfigError::Zero("VOTES_RECONCILE_INTERVAL_SECS"))
        );
    }
}
