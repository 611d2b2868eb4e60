use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::{Parser, Subcommand};
use secrecy::{ExposeSecret, SecretString};

use crate::{intake::UploadPolicy, sweep::SweepSettings};

/// The `videos` service: video records, upload intake and signed media URLs.
#[derive(Debug, Parser)]
#[command(name = "anb-videos", version)]
pub struct Config {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Address the gRPC server listens on.
    #[arg(long, env = "VIDEOS_LISTEN_ADDR", default_value = "127.0.0.1:50052")]
    pub listen_addr: SocketAddr,

    /// Address the Prometheus metrics endpoint (`GET /metrics`) binds.
    #[arg(long, env = "VIDEOS_METRICS_ADDR", default_value = "127.0.0.1:9182")]
    pub metrics_addr: SocketAddr,

    /// PostgreSQL URL. Never logged: it may hold a password.
    #[arg(long, env = "VIDEOS_DATABASE_URL", hide_env_values = true)]
    pub database_url: SecretString,

    /// Schema that holds the service's tables (created if missing).
    #[arg(long, env = "VIDEOS_DATABASE_SCHEMA", default_value = "videos")]
    pub database_schema: String,

    /// How long start-up waits for PostgreSQL and Redis to become reachable, in seconds.
    #[arg(long, env = "VIDEOS_CONNECT_WAIT_SECS", default_value_t = 30)]
    pub connect_wait_secs: u64,

    /// Redis URL of the transcode job queue.
    #[arg(
        long,
        env = "VIDEOS_REDIS_URL",
        default_value = "redis://127.0.0.1:6379"
    )]
    pub redis_url: String,

    /// Prefix of the queue's Redis keys; must match the transcoder's.
    #[arg(long, env = "VIDEOS_QUEUE_PREFIX", default_value = "anb")]
    pub queue_prefix: String,

    /// Address of the auth service, whose public keys verify access tokens.
    #[arg(
        long,
        env = "VIDEOS_AUTH_URL",
        default_value = "http://127.0.0.1:50051"
    )]
    pub auth_url: String,

    /// Root folder of the media storage (the NFS mount in production).
    #[arg(long, env = "VIDEOS_STORAGE_ROOT", default_value = "./var/storage")]
    pub storage_root: PathBuf,

    /// HMAC key of media URLs; the gateway must be given the same value. No default.
    #[arg(long, env = "VIDEOS_MEDIA_URL_SECRET", hide_env_values = true)]
    pub media_url_secret: SecretString,

    /// Lifetime of signed media URLs, in seconds.
    #[arg(long, env = "VIDEOS_MEDIA_URL_TTL_SECS", default_value_t = 900)]
    pub media_url_ttl_secs: u64,

    /// Largest accepted upload, in bytes; enforced while the file streams in.
    #[arg(long, env = "VIDEOS_MAX_UPLOAD_BYTES", default_value_t = 104_857_600)]
    pub max_upload_bytes: u64,

    /// Shortest accepted video, in seconds.
    #[arg(long, env = "VIDEOS_MIN_DURATION_SECS", default_value_t = 20)]
    pub min_duration_secs: u64,

    /// Longest accepted video, in seconds.
    #[arg(long, env = "VIDEOS_MAX_DURATION_SECS", default_value_t = 60)]
    pub max_duration_secs: u64,

    /// Smallest accepted shorter display side, in pixels (1080 means "1080p or better").
    #[arg(long, env = "VIDEOS_MIN_SHORT_SIDE_PX", default_value_t = 1080)]
    pub min_short_side_px: u32,

    /// An upload stream silent for this long is dropped, in seconds.
    #[arg(long, env = "VIDEOS_UPLOAD_IDLE_TIMEOUT_SECS", default_value_t = 60)]
    pub upload_idle_timeout_secs: u64,

    /// How often the sweep looks for videos stuck before processing, in seconds.
    #[arg(long, env = "VIDEOS_SWEEP_INTERVAL_SECS", default_value_t = 60)]
    pub sweep_interval_secs: u64,

    /// A video `uploaded` or `processing` for longer than this is queued again, in seconds.
    #[arg(long, env = "VIDEOS_REQUEUE_AFTER_SECS", default_value_t = 900)]
    pub requeue_after_secs: u64,

    /// How long in-flight calls may finish after a shutdown signal, in seconds.
    #[arg(long, env = "VIDEOS_SHUTDOWN_GRACE_SECS", default_value_t = 10)]
    pub shutdown_grace_secs: u64,
}

/// The service's modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Apply pending schema migrations and exit.
    Migrate,
    /// Serve gRPC (the default).
    Serve,
}

/// A configuration that cannot work, reported before anything binds.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidConfig(String);

impl Config {
    /// Rejects values that would make the service misbehave rather than fail fast.
    ///
    /// # Errors
    /// [`InvalidConfig`] naming the first offending variable.
    pub fn validate(&self) -> Result<(), InvalidConfig> {
        let fail = |message: &str| Err(InvalidConfig(message.to_owned()));
        if self.media_url_secret.expose_secret().len() < 16 {
            return fail("VIDEOS_MEDIA_URL_SECRET must be at least 16 bytes");
        }
        if self.media_url_ttl_secs == 0 {
            return fail("VIDEOS_MEDIA_URL_TTL_SECS must be positive");
        }
        if self.max_upload_bytes == 0 {
            return fail("VIDEOS_MAX_UPLOAD_BYTES must be positive");
        }
        if self.min_duration_secs > self.max_duration_secs {
            return fail("VIDEOS_MIN_DURATION_SECS must not exceed VIDEOS_MAX_DURATION_SECS");
        }
        if self.upload_idle_timeout_secs == 0 {
            return fail("VIDEOS_UPLOAD_IDLE_TIMEOUT_SECS must be positive");
        }
        if self.sweep_interval_secs == 0 || self.requeue_after_secs == 0 {
            return fail(
                "VIDEOS_SWEEP_INTERVAL_SECS and VIDEOS_REQUEUE_AFTER_SECS must be positive",
            );
        }
        if self.queue_prefix.is_empty() {
            return fail("VIDEOS_QUEUE_PREFIX must not be empty");
        }
        Ok(())
    }

    /// The upload rules.
    pub fn upload_policy(&self) -> UploadPolicy {
        UploadPolicy {
            max_bytes: self.max_upload_bytes,
            min_duration: Duration::from_secs(self.min_duration_secs),
            max_duration: Duration::from_secs(self.max_duration_secs),
            min_short_side_px: self.min_short_side_px,
            idle_timeout: Duration::from_secs(self.upload_idle_timeout_secs),
        }
    }

    /// The re-queue sweep's timing.
    pub fn sweep_settings(&self) -> SweepSettings {
        SweepSettings {
            interval: Duration::from_secs(self.sweep_interval_secs),
            requeue_after: Duration::from_secs(self.requeue_after_secs),
        }
    }

    /// How long draining may take at shutdown.
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }

    /// How long start-up waits for dependencies.
    pub fn connect_wait(&self) -> Duration {
        Duration::from_secs(self.connect_wait_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(extra: &[&str]) -> Config {
        let base = [
            "anb-videos",
            "--database-url",
            "postgres://x",
            "--media-url-secret",
        ];
        let args = base
            .iter()
            .chain(["0123456789abcdef"].iter())
            .chain(extra.iter());
        Config::try_parse_from(args).expect("test arguments are well formed")
    }

    #[test]
    fn defaults_match_the_documented_limits() {
        let config = parse(&[]);

        assert!(config.validate().is_ok());
        assert_eq!(
            config.listen_addr,
            "127.0.0.1:50052".parse().expect("literal address")
        );
        let policy = config.upload_policy();
        assert_eq!(policy.max_bytes, 104_857_600);
        assert_eq!(policy.min_duration, Duration::from_secs(20));
        assert_eq!(policy.max_duration, Duration::from_secs(60));
        assert_eq!(policy.min_short_side_px, 1080);
        assert_eq!(
            config.sweep_settings().requeue_after,
            Duration::from_secs(900)
        );
    }

    #[test]
    fn a_short_media_secret_or_inverted_durations_are_rejected() {
        let short = Config::try_parse_from([
            "anb-videos",
            "--database-url",
            "postgres://x",
            "--media-url-secret",
            "short",
        ])
        .expect("well formed");
        assert!(short.validate().is_err());

        let inverted = parse(&["--min-duration-secs", "61"]);
        assert!(inverted.validate().is_err());
    }
}
