use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;

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
    #[arg(long, env = "AUTH_DATABASE_URL", value_parser = parse_secret, hide_env_values = true)]
    pub database_url: SecretString,

    /// Schema holding the service's tables; created when missing.
    #[arg(long, env = "AUTH_DATABASE_SCHEMA", default_value = "auth")]
    pub database_schema: String,

    /// How long start-up keeps retrying an unreachable database before giving up.
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
}

impl Config {
    /// Checks the settings `command` needs.
    ///
    /// # Errors
    /// The first setting that cannot work.
    pub fn validate(&self, command: Command) -> Result<(), ConfigError> {
        if !is_plain_identifier(&self.database_schema) {
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

    /// [`Self::shutdown_grace_secs`] as a duration.
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }
}

fn parse_secret(value: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(SecretString::from(value))
}

fn is_plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
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
    fn schema_names_that_are_not_plain_identifiers_are_refused() {
        let cli = parse(&["--database-schema", "Auth;drop", "migrate"]);

        assert_eq!(
            cli.config.validate(Command::Migrate),
            Err(ConfigError::Schema)
        );
    }
}
