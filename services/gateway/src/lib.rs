//! The public HTTP surface of ANB Rising Stars. It authenticates callers, translates the
//! REST contract (DESIGN §3) to gRPC calls on auth, videos and votes and back, maps gRPC
//! status codes to HTTP in one place ([`GatewayError`]), and serves media files behind
//! signed URLs. It holds no business rules.

mod config;
mod error;
mod extract;
mod grpc_web;
mod middleware;
mod openapi;
mod rankings_cache;
mod routes;
mod server;
mod upstream;

use std::{sync::Arc, time::Duration};

use anb_identity::TokenVerifier;
use anb_storage::{Storage, UrlSigner};
use axum::Router;
use secrecy::ExposeSecret as _;
use tokio::net::TcpListener;

pub use config::{Cli, Config, ConfigError};
pub use error::{Error, GatewayError};

use upstream::Upstreams;

/// Media URLs carry their own expiry; the signer's lifetime only matters to `sign`, which
/// the gateway never calls.
const UNUSED_SIGNING_TTL: Duration = Duration::from_secs(0);

/// What every handler shares. Handlers receive a clone per request, so it is one pointer:
/// cloning the upstream clients themselves cost about a tenth of a rankings read.
pub(crate) type AppState = Arc<Shared>;

/// The contents of [`AppState`].
pub(crate) struct Shared {
    upstreams: Upstreams,
    verifier: Arc<TokenVerifier>,
    signer: UrlSigner,
    storage: Storage,
    web: routes::web::WebAssets,
    rankings: rankings_cache::RankingsCache,
}

/// Limits applied per route.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    max_upload_bytes: u64,
    request_timeout: Duration,
    upload_timeout: Duration,
}

/// A configured gateway, ready to serve.
pub struct App {
    state: AppState,
    limits: Limits,
    shutdown_grace: Duration,
}

impl App {
    /// A gateway whose token keys come from the auth service at `config.auth_url`.
    ///
    /// # Errors
    /// When the configuration is invalid.
    pub fn new(config: &Config) -> Result<Self, Error> {
        Self::build(config, TokenVerifier::from_auth)
    }

    /// [`Self::new`], also refusing tokens revoked by log-out as listed in `redis`.
    ///
    /// # Errors
    /// When the configuration is invalid.
    pub fn with_revocations(config: &Config, redis: fred::prelude::Client) -> Result<Self, Error> {
        Self::build(config, |auth| {
            TokenVerifier::from_auth(auth).with_revocations(redis, &config.redis_prefix)
        })
    }

    /// A gateway that verifies tokens with `verifier` (tests use fixed keys).
    ///
    /// # Errors
    /// When the configuration is invalid.
    pub fn with_verifier(config: &Config, verifier: TokenVerifier) -> Result<Self, Error> {
        Self::build(config, |_| verifier)
    }

    fn build(
        config: &Config,
        verifier: impl FnOnce(tonic::transport::Channel) -> TokenVerifier,
    ) -> Result<Self, Error> {
        config.validate()?;
        let (upstreams, auth_channel) = Upstreams::connect(config)?;
        let secret = config.media_url_secret.expose_secret().as_bytes().to_vec();

        let state = Arc::new(Shared {
            upstreams,
            verifier: Arc::new(verifier(auth_channel)),
            signer: UrlSigner::new(secret, UNUSED_SIGNING_TTL),
            storage: Storage::new(&config.storage_root),
            web: routes::web::WebAssets::new(config.web_root.as_deref()),
            rankings: rankings_cache::RankingsCache::new(config.rankings_keep()),
        });
        let limits = Limits {
            max_upload_bytes: config.max_upload_bytes,
            request_timeout: config.request_timeout(),
            upload_timeout: config.upload_timeout(),
        };
        Ok(Self {
            state,
            limits,
            shutdown_grace: config.shutdown_grace(),
        })
    }

    /// The whole HTTP surface, for serving or for `Router::oneshot` in tests.
    pub fn router(&self) -> Router {
        routes::router(self.state.clone(), self.limits)
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting and lets
/// in-flight requests finish for at most the configured grace period.
///
/// # Errors
/// When the server fails while serving.
pub async fn run(
    app: App,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let grace = app.shutdown_grace;
    if !server::serve(listener, app.router(), shutdown, grace).await {
        tracing::warn!(
            grace_secs = grace.as_secs(),
            "requests still running after the shutdown grace period; stopping anyway"
        );
    }
    Ok(())
}
