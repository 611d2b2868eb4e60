use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::{Args, Parser};
use secrecy::{ExposeSecret as _, SecretString};

/// Shortest media URL secret accepted: an HMAC key short enough to guess lets anyone
/// forge links to every original.
const MIN_SECRET_BYTES: usize = 16;

/// The `anb-gateway` command line; every option can also come from its environment variable.
#[derive(Debug, Parser)]
#[command(
    name = "anb-gateway",
    version,
    about = "ANB public HTTP gateway: REST API and media"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    /// Address the Prometheus metrics endpoint (`GET /metrics`) binds. Kept apart from
    /// [`Config`] because only the binary binds it; the service itself never sees it.
    #[arg(long, env = "GATEWAY_METRICS_ADDR", default_value = "127.0.0.1:9180")]
    pub metrics_addr: SocketAddr,
}

/// Settings of the gateway.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address the HTTP server binds.
    #[arg(long, env = "GATEWAY_LISTEN_ADDR", default_value = "127.0.0.1:8080")]
    pub listen_addr: SocketAddr,

    /// gRPC address of the auth service.
    #[arg(
        long,
        env = "GATEWAY_AUTH_URL",
        default_value = "http://127.0.0.1:50051"
    )]
    pub auth_url: String,

    /// gRPC address of the videos service.
    #[arg(
        long,
        env = "GATEWAY_VIDEOS_URL",
        default_value = "http://127.0.0.1:50052"
    )]
    pub videos_url: String,

    /// gRPC address of the votes service.
    #[arg(
        long,
        env = "GATEWAY_VOTES_URL",
        default_value = "http://127.0.0.1:50053"
    )]
    pub votes_url: String,

    /// gRPC address of the transcoder (only its health is checked, by `/ready`).
    #[arg(
        long,
        env = "GATEWAY_TRANSCODER_URL",
        default_value = "http://127.0.0.1:50054"
    )]
    pub transcoder_url: String,

    /// Redis holding the tokens revoked by log-out (may contain credentials; never logged).
    /// When it does not answer, tokens are accepted without the check (see anb-identity).
    #[arg(
        long,
        env = "GATEWAY_REDIS_URL",
        default_value = "redis://127.0.0.1:6379",
        hide_env_values = true
    )]
    pub redis_url: String,

    /// Redis key prefix under which auth lists revoked tokens; must equal
    /// `AUTH_REDIS_PREFIX`.
    #[arg(long, env = "GATEWAY_REDIS_PREFIX", default_value = "anb")]
    pub redis_prefix: String,

    /// Storage root the media files are served from (the same folder `videos` writes).
    #[arg(long, env = "GATEWAY_STORAGE_ROOT", default_value = "./var/storage")]
    pub storage_root: PathBuf,

    /// HMAC key that verifies signed media URLs; must equal `VIDEOS_MEDIA_URL_SECRET`.
    /// At least 16 bytes; never logged.
    #[arg(long, env = "GATEWAY_MEDIA_URL_SECRET", hide_env_values = true)]
    pub media_url_secret: SecretString,

    /// Largest accepted video file, in bytes; the upload body may exceed it only by the
    /// multipart framing. Keep it equal to `VIDEOS_MAX_UPLOAD_BYTES`.
    #[arg(long, env = "GATEWAY_MAX_UPLOAD_BYTES", default_value_t = 104_857_600)]
    pub max_upload_bytes: u64,

    /// Time limit of every request except uploads, until the response starts.
    #[arg(long, env = "GATEWAY_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// Time limit of an upload, from the first byte to the answer; bounds how slow a
    /// client may be (the default allows 100 MB at about 1 Mbit/s).
    #[arg(long, env = "GATEWAY_UPLOAD_TIMEOUT_SECS", default_value_t = 900)]
    pub upload_timeout_secs: u64,

    /// How long in-flight requests may run after a shutdown signal before the server stops.
    #[arg(long, env = "GATEWAY_SHUTDOWN_GRACE_SECS", default_value_t = 10)]
    pub shutdown_grace_secs: u64,

    /// How long a rankings page answered by votes is served again before asking anew, in
    /// milliseconds; 0 asks every time. A vote through this gateway drops the kept pages at
    /// once, so only votes cast through other gateways can be this late.
    #[arg(long, env = "GATEWAY_RANKINGS_KEEP_MS", default_value_t = 250)]
    pub rankings_keep_ms: u64,

    /// Folder of the built browser app (`web/dist`), served at `/`; it must hold
    /// `index.html`. Unset: no app, and unknown paths are JSON 404s.
    #[arg(long, env = "GATEWAY_WEB_ROOT")]
    pub web_root: Option<PathBuf>,
}

/// A setting that cannot work, found before anything is bound or connected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// A short HMAC key makes media links forgeable.
    #[error("GATEWAY_MEDIA_URL_SECRET must be at least {MIN_SECRET_BYTES} bytes")]
    WeakSecret,
    /// A limit of zero refuses everything.
    #[error("{0} must be greater than zero")]
    Zero(&'static str),
    /// An upstream address that is not a URI.
    #[error("{name} is not a valid http:// address: {value:?}")]
    Address { name: &'static str, value: String },
    /// An app folder without its entry page would answer every app route with 404.
    #[error("GATEWAY_WEB_ROOT has no index.html: {0:?}")]
    WebRoot(PathBuf),
}

impl Config {
    /// Checks every setting.
    ///
    /// # Errors
    /// The first setting that cannot work.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.media_url_secret.expose_secret().len() < MIN_SECRET_BYTES {
            return Err(ConfigError::WeakSecret);
        }
        let limits = [
            ("GATEWAY_MAX_UPLOAD_BYTES", self.max_upload_bytes),
            ("GATEWAY_REQUEST_TIMEOUT_SECS", self.request_timeout_secs),
            ("GATEWAY_UPLOAD_TIMEOUT_SECS", self.upload_timeout_secs),
        ];
        if let Some((name, _)) = limits.iter().find(|(_, value)| *value == 0) {
            return Err(ConfigError::Zero(name));
        }
        for (name, value) in self.upstreams() {
            let parsed = value.parse::<http::Uri>();
            if !parsed.is_ok_and(|uri| uri.scheme().is_some() && uri.host().is_some()) {
                return Err(ConfigError::Address {
                    name,
                    value: value.to_owned(),
                });
            }
        }
        if let Some(root) = &self.web_root
            && !crate::routes::web::index_of(root).is_file()
        {
            return Err(ConfigError::WebRoot(root.clone()));
        }
        Ok(())
    }

    fn upstreams(&self) -> [(&'static str, &str); 4] {
        [
            ("GATEWAY_AUTH_URL", &self.auth_url),
            ("GATEWAY_VIDEOS_URL", &self.videos_url),
            ("GATEWAY_VOTES_URL", &self.votes_url),
            ("GATEWAY_TRANSCODER_URL", &self.transcoder_url),
        ]
    }

    /// [`Self::request_timeout_secs`] as a duration.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    /// [`Self::rankings_keep_ms`] as a duration.
    pub fn rankings_keep(&self) -> Duration {
        Duration::from_millis(self.rankings_keep_ms)
    }

    /// [`Self::upload_timeout_secs`] as a duration.
    pub fn upload_timeout(&self) -> Duration {
        Duration::from_secs(self.upload_timeout_secs)
    }

    /// [`Self::shutdown_grace_secs`] as a duration.
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Config {
        parse_with_secret("0123456789abcdef", args)
    }

    fn parse_with_secret(secret: &str, args: &[&str]) -> Config {
        let mut argv = vec!["anb-gateway", "--media-url-secret", secret];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv)
            .expect("test arguments are valid")
            .config
    }

    #[test]
    fn defaults_are_valid_and_match_the_documented_ports() {
        let config = parse(&[]);

        assert_eq!(config.validate(), Ok(()));
        assert_eq!(config.listen_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(config.videos_url, "http://127.0.0.1:50052");
        assert_eq!(config.max_upload_bytes, 104_857_600);
    }

    #[test]
    fn short_secrets_zero_limits_and_bad_addresses_are_refused() {
        let weak = parse_with_secret("short", &[]);
        let zero = parse(&["--request-timeout-secs", "0"]);
        let address = parse(&["--votes-url", "127.0.0.1:50053"]);

        assert_eq!(weak.validate(), Err(ConfigError::WeakSecret));
        assert_eq!(
            zero.validate(),
            Err(ConfigError::Zero("GATEWAY_REQUEST_TIMEOUT_SECS"))
        );
        assert!(matches!(
            address.validate(),
            Err(ConfigError::Address {
                name: "GATEWAY_VOTES_URL",
                ..
            })
        ));
    }
}
