use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;

pub use crate::throttle::{LoginLimits, Window};

/// Longest access-token lifetime accepted: a leaked token stays usable this long.
const MAX_TOKEN_TTL_SECS: u64 = 7 * 24 * 3600;

/// The `anb-auth` command line; every option can also come from its environment variable.
#[derive(Debug, Parser)]
#[command(
    name = "anb-auth",
    version,
    about = "ANB accounts, passwords and access tokens"
)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
    /// Address the Prometheus metrics endpoint (`GET /metrics`) binds. Kept apart from
    /// [`Config`] because only the binary binds it; the service itself never sees it.
    #[arg(long, env = "AUTH_METRICS_ADDR", default_value = "127.0.0.1:9181")]
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

/// Settings of the auth service.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address the gRPC server binds.
    #[arg(long, env = "AUTH_LISTEN_ADDR", default_value = "127.0.0.1:50051")]
    pub listen_addr: SocketAddr,

    /// PostgreSQL URL (may contain credentials; never logged).
    #[arg(long, env = "AUTH_DATABASE_URL", hide_env_values = true)]
    pub database_url: SecretString,

    /// Schema holding the service's tables; created when missing.
    #[arg(long, env = "AUTH_DATABASE_SCHEMA", default_value = "auth")]
    pub database_schema: String,

    /// How long start-up keeps retrying an unreachable database (and Redis) before giving up.
    #[arg(long, env = "AUTH_DATABASE_WAIT_SECS", default_value_t = 30)]
    pub database_wait_secs: u64,

    /// PKCS#8 PEM file with the Ed25519 key that signs access tokens (mode 0600, owned by
    /// the service). Required by `serve`.
    #[arg(long, env = "AUTH_SIGNING_KEY_FILE")]
    pub signing_key_file: Option<PathBuf>,

    /// Create the signing key file when it does not exist. Turn off in production so a
    /// missing or unmounted key stops start-up instead of silently invalidating every
    /// issued token.
    #[arg(
        long,
        env = "AUTH_GENERATE_SIGNING_KEY",
        default_value_t = true,
        action = clap::ArgAction::Set
    )]
    pub generate_signing_key: bool,

    /// Lifetime of an access token, in seconds (`expires_in` of LogIn).
    #[arg(long, env = "AUTH_TOKEN_TTL_SECS", default_value_t = 3600)]
    pub token_ttl_secs: u64,

    /// Redis URL for revoked tokens and log-in attempt counters (may contain credentials;
    /// never logged).
    #[arg(
        long,
        env = "AUTH_REDIS_URL",
        default_value = "redis://127.0.0.1:6379",
        hide_env_values = true
    )]
    pub redis_url: String,

    /// Prefix of every Redis key auth writes. The revocation keys
    /// (`<prefix>:auth:revoked:<token id>`) are read by gateway, videos and votes under
    /// their own prefix setting, so all must agree.
    #[arg(long, env = "AUTH_REDIS_PREFIX", default_value = "anb")]
    pub redis_prefix: String,

    /// Failed log-ins one account (email, any case) may have in its window before further
    /// attempts get RESOURCE_EXHAUSTED, even with the right password.
    #[arg(long, env = "AUTH_LOGIN_MAX_ACCOUNT_FAILURES", default_value_t = 5)]
    pub login_max_account_failures: u32,

    /// Window of the per-account failure count, from its first failure, in seconds.
    #[arg(long, env = "AUTH_LOGIN_ACCOUNT_WINDOW_SECS", default_value_t = 900)]
    pub login_account_window_secs: u64,

    /// Failed log-ins one client address may have in its window, whatever the accounts.
    #[arg(long, env = "AUTH_LOGIN_MAX_ADDRESS_FAILURES", default_value_t = 30)]
    pub login_max_address_failures: u32,

    /// Window of the per-address failure count, from its first failure, in seconds.
    #[arg(long, env = "AUTH_LOGIN_ADDRESS_WINDOW_SECS", default_value_t = 300)]
    pub login_address_window_secs: u64,

    /// How long in-flight calls may run after a shutdown signal before the server stops.
    #[arg(long, env = "AUTH_SHUTDOWN_GRACE_SECS", default_value_t = 10)]
    pub shutdown_grace_secs: u64,
}

/// A setting that cannot work, found before anything is bound or connected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// `serve` needs somewhere to keep the signing key.
    #[error("AUTH_SIGNING_KEY_FILE is required to serve")]
    MissingSigningKeyFile,
    /// A zero or overly long token lifetime.
    #[error("AUTH_TOKEN_TTL_SECS must be between 1 and {MAX_TOKEN_TTL_SECS}")]
    TokenTtl,
    /// The schema name is interpolated into SQL by `anb-db`.
    #[error("AUTH_DATABASE_SCHEMA must match [a-z_][a-z0-9_]*")]
    Schema,
    /// A throttling limit or window of zero would refuse every log-in or none.
    #[error("{0} must be greater than zero")]
    Zero(&'static str),
}

impl Config {
    /// Checks the settings `command` needs.
    ///
    /// # Errors
    /// The first setting that cannot work.
    pub fn validate(&self, command: Command) -> Result<(), ConfigError> {
        if !anb_db::is_plain_identifier(&self.database_schema) {
            return Err(ConfigError::Schema);
        }
        if command == Command::Migrate {
            return Ok(());
        }
        if self.signing_key_file.is_none() {
            return Err(ConfigError::MissingSigningKeyFile);
        }
        if self.token_ttl_secs == 0 || self.token_ttl_secs > MAX_TOKEN_TTL_SECS {
            return Err(ConfigError::TokenTtl);
        }
        let limits = [
            (
                "AUTH_LOGIN_MAX_ACCOUNT_FAILURES",
                u64::from(self.login_max_account_failures),
            ),
            (
                "AUTH_LOGIN_ACCOUNT_WINDOW_SECS",
                self.login_account_window_secs,
            ),
            (
                "AUTH_LOGIN_MAX_ADDRESS_FAILURES",
                u64::from(self.login_max_address_failures),
            ),
            (
                "AUTH_LOGIN_ADDRESS_WINDOW_SECS",
                self.login_address_window_secs,
            ),
        ];
        if let Some((name, _)) = limits.iter().find(|(_, value)| *value == 0) {
            return Err(ConfigError::Zero(name));
        }
        Ok(())
    }

    /// [`Self::database_wait_secs`] as a duration.
    pub fn database_wait(&self) -> Duration {
        Duration::from_secs(self.database_wait_secs)
    }

    /// [`Self::token_ttl_secs`] as a duration.
    pub fn token_ttl(&self) -> Duration {
        Duration::from_secs(self.token_ttl_secs)
    }

    /// The log-in throttling limits.
    pub fn login_limits(&self) -> LoginLimits {
        LoginLimits {
            account: Window {
                max_failures: self.login_max_account_failures,
                period: Duration::from_secs(self.login_account_window_secs),
            },
            address: Window {
                max_failures: self.login_max_address_failures,
                period: Duration::from_secs(self.login_address_window_secs),
            },
        }
    }

    /// [`Self::shutdown_grace_secs`] as a duration.
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Cli {
        let mut argv = vec!["anb-auth", "--database-url", "postgres://x"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).expect("test arguments are valid")
    }

    #[test]
    fn serve_requires_a_signing_key_file_but_migrate_does_not() {
        let cli = parse(&[]);

        assert_eq!(cli.command, None);
        assert_eq!(
            cli.config.validate(Command::Serve),
            Err(ConfigError::MissingSigningKeyFile)
        );
        assert_eq!(cli.config.validate(Command::Migrate), Ok(()));
    }

    #[test]
    fn token_ttl_must_be_positive_and_at_most_a_week() {
        let zero = parse(&["--signing-key-file", "k.pem", "--token-ttl-secs", "0"]);
        let long = parse(&["--signing-key-file", "k.pem", "--token-ttl-secs", "604801"]);
        let fine = parse(&["--signing-key-file", "k.pem", "migrate"]);

        assert_eq!(
            zero.config.validate(Command::Serve),
            Err(ConfigError::TokenTtl)
        );
        assert_eq!(
            long.config.validate(Command::Serve),
            Err(ConfigError::TokenTtl)
        );
        assert_eq!(fine.command, Some(Command::Migrate));
        assert_eq!(fine.config.validate(Command::Serve), Ok(()));
        assert_eq!(fine.config.token_ttl(), Duration::from_secs(3600));
    }

    #[test]
    fn login_limits_default_to_five_per_account_and_thirty_per_address_and_refuse_zero() {
        let defaults = parse(&["--signing-key-file", "k.pem"]);
        let zero = parse(&[
            "--signing-key-file",
            "k.pem",
            "--login-account-window-secs",
            "0",
        ]);

        let limits = defaults.config.login_limits();
        assert_eq!(
            (limits.account.max_failures, limits.account.period.as_secs()),
            (5, 900)
        );
        assert_eq!(
            (limits.address.max_failures, limits.address.period.as_secs()),
            (30, 300)
        );
        assert_eq!(
            zero.config.validate(Command::Serve),
            Err(ConfigError::Zero("AUTH_LOGIN_ACCOUNT_WINDOW_SECS"))
        );
    }

    #[test]
    fn schema_names_that_are_not_plain_identifiers_are_refused() {
        let cli = parse(&["--database-schema", "Auth;drop", "migrate"]);

        assert_eq!(
            cli.config.validate(Command::Migrate),
            Err(ConfigError::Schema)
        );
    }
}
