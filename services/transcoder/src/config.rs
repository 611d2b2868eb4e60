use std::{net::SocketAddr, path::PathBuf, time::Duration};

use anb_queue::QueueNames;
use clap::{Args, Parser, Subcommand};

use crate::backoff::Backoff;

/// The `anb-transcoder` command line; every option can also come from its environment
/// variable.
#[derive(Debug, Parser)]
#[command(
    name = "anb-transcoder",
    version,
    about = "ANB video processing worker"
)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
    /// Address the Prometheus metrics endpoint (`GET /metrics`) binds. Kept apart from
    /// [`Config`] because only the binary binds it; the service itself never sees it.
    #[arg(
        long,
        env = "TRANSCODER_METRICS_ADDR",
        default_value = "127.0.0.1:9184"
    )]
    pub metrics_addr: SocketAddr,
}

/// The ways to run the binary. The transcoder has no database, so there is nothing to
/// migrate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Consume transcode jobs and serve the operator gRPC API (the default).
    Serve,
}

/// Settings of the transcoder.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address the operator gRPC server (queue stats, health, reflection) binds.
    #[arg(
        long,
        env = "TRANSCODER_LISTEN_ADDR",
        default_value = "127.0.0.1:50054"
    )]
    pub listen_addr: SocketAddr,

    /// Redis holding the job stream.
    #[arg(
        long,
        env = "TRANSCODER_REDIS_URL",
        default_value = "redis://127.0.0.1:6379",
        hide_env_values = true
    )]
    pub redis_url: String,

    /// Prefix of the queue's Redis keys; must match the one `videos` enqueues with.
    #[arg(long, env = "TRANSCODER_QUEUE_PREFIX", default_value = "anb")]
    pub queue_prefix: String,

    /// How long start-up keeps retrying an unreachable Redis before giving up.
    #[arg(long, env = "TRANSCODER_CONNECT_WAIT_SECS", default_value_t = 30)]
    pub connect_wait_secs: u64,

    /// The videos service, told when a job starts and what its outcome was.
    #[arg(
        long,
        env = "TRANSCODER_VIDEOS_URL",
        default_value = "http://127.0.0.1:50052"
    )]
    pub videos_url: String,

    /// Storage root shared with `videos` (the NFS mount in production).
    #[arg(long, env = "TRANSCODER_STORAGE_ROOT", default_value = "./var/storage")]
    pub storage_root: PathBuf,

    /// Name of this worker in the consumer group; must be unique among running workers.
    /// Defaults to `<hostname>-<pid>`.
    #[arg(long, env = "TRANSCODER_CONSUMER_NAME")]
    pub consumer_name: Option<String>,

    /// A job held this long by a worker without a sign of life is taken over by another.
    /// Workers signal life every third of this while they work.
    #[arg(long, env = "TRANSCODER_RECLAIM_IDLE_SECS", default_value_t = 120)]
    pub reclaim_idle_secs: u64,

    /// Deliveries of a job before it is given up, dead-lettered and its video failed.
    #[arg(long, env = "TRANSCODER_MAX_ATTEMPTS", default_value_t = 3)]
    pub max_attempts: u64,

    /// First pause before a retry, in milliseconds; it doubles on each further retry
    /// (with random jitter) up to TRANSCODER_RETRY_MAX_MS.
    #[arg(long, env = "TRANSCODER_RETRY_BASE_MS", default_value_t = 2_000)]
    pub retry_base_ms: u64,

    /// Longest pause between retries, in milliseconds.
    #[arg(long, env = "TRANSCODER_RETRY_MAX_MS", default_value_t = 60_000)]
    pub retry_max_ms: u64,

    /// libx264 preset: slower presets give smaller files for more CPU time. The default
    /// and TRANSCODER_X264_CRF's are the three-pass CLI method's (issue 4); the product also
    /// keeps x264's loop filter on, which gives a ~2 % smaller file at a higher SSIM for ~1 %
    /// more CPU. Every slower preset costs more CPU time than that method spends
    /// (`scripts/bench-transcode`, docs/benchmarks-transcode.md).
    #[arg(long, env = "TRANSCODER_X264_PRESET", default_value = "ultrafast")]
    pub x264_preset: String,

    /// libx264 constant rate factor (0-51, lower is better quality and bigger files).
    #[arg(long, env = "TRANSCODER_X264_CRF", default_value_t = 28)]
    pub x264_crf: u8,

    /// After a shutdown signal, how long the current job may run on before it is handed
    /// back to the queue for another worker, and how long in-flight calls may drain.
    #[arg(long, env = "TRANSCODER_SHUTDOWN_GRACE_SECS", default_value_t = 10)]
    pub shutdown_grace_secs: u64,
}

const X264_PRESETS: [&str; 10] = [
    "ultrafast",
    "superfast",
    "veryfast",
    "faster",
    "fast",
    "medium",
    "slow",
    "slower",
    "veryslow",
    "placebo",
];

/// A setting that cannot work, found before anything is bound or connected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct InvalidConfig(String);

impl Config {
    /// Checks the settings.
    ///
    /// # Errors
    /// The first setting that cannot work.
    pub fn validate(&self) -> Result<(), InvalidConfig> {
        let fail = |message: &str| Err(InvalidConfig(message.to_owned()));
        if self.max_attempts == 0 {
            return fail("TRANSCODER_MAX_ATTEMPTS must be at least 1");
        }
        if self.reclaim_idle_secs == 0 {
            return fail("TRANSCODER_RECLAIM_IDLE_SECS must be at least 1");
        }
        if self.retry_base_ms == 0 || self.retry_max_ms < self.retry_base_ms {
            return fail(
                "TRANSCODER_RETRY_BASE_MS must be positive and at most TRANSCODER_RETRY_MAX_MS",
            );
        }
        if !X264_PRESETS.contains(&self.x264_preset.as_str()) {
            return fail(
                "TRANSCODER_X264_PRESET must be an x264 preset such as veryfast or medium",
            );
        }
        if self.x264_crf > 51 {
            return fail("TRANSCODER_X264_CRF must be between 0 and 51");
        }
        if self.queue_prefix.is_empty() || self.consumer_name.as_deref() == Some("") {
            return fail("TRANSCODER_QUEUE_PREFIX and TRANSCODER_CONSUMER_NAME must not be empty");
        }
        let has_scheme = ["http://", "https://"]
            .iter()
            .any(|s| self.videos_url.starts_with(s));
        if !has_scheme || tonic::transport::Endpoint::from_shared(self.videos_url.clone()).is_err()
        {
            return fail("TRANSCODER_VIDEOS_URL must be a URL such as http://127.0.0.1:50052");
        }
        Ok(())
    }

    /// The queue's key names.
    pub fn queue_names(&self) -> QueueNames {
        QueueNames::with_prefix(&self.queue_prefix)
    }

    /// This worker's consumer name.
    pub fn consumer(&self) -> String {
        self.consumer_name
            .clone()
            .unwrap_or_else(default_consumer_name)
    }

    /// The retry pause schedule.
    pub fn backoff(&self) -> Backoff {
        Backoff::new(
            Duration::from_millis(self.retry_base_ms),
            Duration::from_millis(self.retry_max_ms),
        )
    }

    /// [`Self::reclaim_idle_secs`] as a duration.
    pub fn reclaim_idle(&self) -> Duration {
        Duration::from_secs(self.reclaim_idle_secs)
    }

    /// [`Self::connect_wait_secs`] as a duration.
    pub fn connect_wait(&self) -> Duration {
        Duration::from_secs(self.connect_wait_secs)
    }

    /// [`Self::shutdown_grace_secs`] as a duration.
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }
}

fn default_consumer_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_owned())
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "transcoder".to_owned());
    format!("{host}-{}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Cli {
        let mut argv = vec!["anb-transcoder"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).expect("test arguments are valid")
    }

    #[test]
    fn defaults_are_valid_and_match_the_documented_values() {
        let cli = parse(&[]);

        assert_eq!(cli.command, None);
        assert_eq!(cli.config.validate(), Ok(()));
        assert_eq!(cli.config.listen_addr.to_string(), "127.0.0.1:50054");
        assert_eq!(cli.config.max_attempts, 3);
        assert_eq!(cli.config.reclaim_idle(), Duration::from_secs(120));
        assert_eq!(
            (cli.config.x264_preset.as_str(), cli.config.x264_crf),
            ("ultrafast", 28)
        );
        assert_eq!(cli.config.queue_names().stream, "anb:transcode:jobs");
    }

    #[test]
    fn the_default_consumer_name_ends_with_the_pid() {
        let cli = parse(&["serve"]);

        assert!(
            cli.config
                .consumer()
                .ends_with(&format!("-{}", std::process::id()))
        );
        assert_eq!(parse(&["--consumer-name", "w7"]).config.consumer(), "w7");
    }

    #[test]
    fn settings_that_cannot_work_are_refused_before_start() {
        let refused = [
            ["--max-attempts", "0"],
            ["--reclaim-idle-secs", "0"],
            ["--retry-base-ms", "0"],
            ["--x264-preset", "turbo"],
            ["--x264-crf", "52"],
            ["--videos-url", "not a url"],
            ["--queue-prefix", ""],
        ];

        for args in refused {
            assert!(parse(&args).config.validate().is_err(), "{args:?} accepted");
        }
    }
}
