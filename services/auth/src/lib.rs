//! `anb-auth` owns player accounts: sign-up with Argon2id password hashes, log-in that
//! issues EdDSA access tokens, the caller's profile, and the public keys every other
//! service verifies tokens with, log-out by token revocation in Redis, and log-in
//! throttling per account and client address (`anb.auth.v1.AuthService`: SignUp, LogIn,
//! GetProfile, GetPublicKeys, LogOut).

pub mod accounts;
pub mod config;
pub mod db;
pub mod error;
pub mod grpc;
pub mod ids;
pub mod keys;
pub mod migration;
pub mod password;
pub mod throttle;
pub mod tokens;
pub mod validation;

use std::{future::Future, sync::Arc, time::Duration};

use anb_identity::Revocations;
use anb_proto::auth::v1::auth_service_server::AuthServiceServer;
use sea_orm::DatabaseConnection;
use sea_orm_migration::MigratorTrait;
use tokio::net::TcpListener;
use tonic::service::Routes;

use crate::{
    accounts::Accounts, grpc::AuthService, keys::SigningKey, password::Passwords,
    throttle::LoginThrottle, tokens::Tokens,
};
pub use crate::{
    config::{Cli, Command, Config, ConfigError},
    error::{Error, Result},
    ids::UserId,
    migration::Migrator,
};

/// Applies every pending migration of the `auth` schema.
///
/// # Errors
/// [`Error::Database`] when a migration fails.
pub async fn migrate(db: &DatabaseConnection) -> Result<()> {
    Migrator::up(db, None).await?;
    Ok(())
}

/// Everything the server needs, loaded before the port is opened.
pub struct App {
    service: AuthService,
    shutdown_grace: Duration,
}

impl App {
    /// Loads (or creates) the signing key and prepares password hashing; `redis` keeps
    /// revoked tokens and log-in failure counts.
    ///
    /// # Errors
    /// [`Error::Config`] for settings `serve` cannot use, the `SigningKey*` errors when the
    /// key file is unusable, [`Error::Hashing`] when Argon2 does not work.
    pub async fn new(
        config: &Config,
        db: DatabaseConnection,
        redis: fred::prelude::Client,
    ) -> Result<Self> {
        config.validate(Command::Serve)?;
        let key_file = config
            .signing_key_file
            .as_deref()
            .expect("validate() refuses a serve config without a key file");
        let key = SigningKey::load_or_generate(key_file, config.generate_signing_key)?;
        let tokens = Tokens::new(key, config.token_ttl())?
            .with_revocations(redis.clone(), &config.redis_prefix);
        let revocations = Revocations::new(redis.clone(), &config.redis_prefix);
        let throttle = LoginThrottle::new(redis, &config.redis_prefix, config.login_limits());
        let passwords = Passwords::new().await?;

        let service = AuthService::new(
            Accounts::new(db, passwords),
            Arc::new(tokens),
            revocations,
            throttle,
        );
        Ok(Self {
            service,
            shutdown_grace: config.shutdown_grace(),
        })
    }
}

/// Serves the auth API on `listener` until `shutdown` resolves, then lets in-flight calls
/// finish for at most the configured grace period.
///
/// # Errors
/// [`Error::Transport`] when the server fails.
pub async fn run(
    app: App,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<()> {
    let served = [anb_grpc::service_name::<AuthServiceServer<AuthService>>()];
    let routes = Routes::new(AuthServiceServer::new(app.service));

    anb_grpc::serve_with_grace(listener, routes, &served, shutdown, app.shutdown_grace).await?;
    Ok(())
}
