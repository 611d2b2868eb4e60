//! `anb-votes` owns the players' votes (`anb.votes.v1.VotesService`): CastVote (one vote
//! per user and video, decided by the database), ListMyVotes, ListRankings (players ranked
//! by votes received, from Postgres) and CountVotes for the gateway's video pages.
//!
//! TODO: the Redis sorted-set view of the rankings and the live ranking stream are not
//! built — rankings are computed in Postgres on every call.

pub mod config;
pub mod counts;
pub mod db;
pub mod error;
pub mod grpc;
pub mod ids;
pub mod migration;
pub mod ranking;
pub mod videos;
pub mod voting;

use std::{future::Future, sync::Arc};

use anb_identity::TokenVerifier;
use anb_proto::votes::v1::votes_service_server::VotesServiceServer;
use sea_orm::DatabaseConnection;
use sea_orm_migration::MigratorTrait;
use tokio::net::TcpListener;
use tonic::service::Routes;

use crate::grpc::VotesService;
pub use crate::{
    config::{Cli, Command, Config, ConfigError},
    error::{Error, Result},
    migration::Migrator,
    videos::Videos,
};

/// Everything a running service needs, built by `main` (or a test) and shared by all calls.
pub struct App {
    /// Connection pool whose `search_path` is the service's schema.
    pub db: DatabaseConnection,
    /// Verifies callers' access tokens; tests inject one with fixed keys.
    pub verifier: Arc<TokenVerifier>,
    /// Says whether a video may receive votes, and who owns it.
    pub videos: Videos,
}

/// Applies every pending migration of the `votes` schema.
///
/// # Errors
/// [`Error::Database`] when a migration fails.
pub async fn migrate(db: &DatabaseConnection) -> Result<()> {
    Migrator::up(db, None).await?;
    Ok(())
}

/// Serves the votes API on `listener` until `shutdown` resolves, then lets in-flight calls
/// finish for at most `config.shutdown_grace_secs`.
///
/// # Errors
/// [`Error::Config`] for an unusable config; [`Error::Transport`] when the server fails.
pub async fn run(
    config: &Config,
    app: App,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<()> {
    config.validate()?;
    let served = [anb_grpc::service_name::<VotesServiceServer<VotesService>>()];
    let routes = Routes::new(VotesServiceServer::new(VotesService::new(Arc::new(app))));
    let grace = config.shutdown_grace();

    anb_grpc::serve_with_grace(listener, routes, &served, shutdown, grace).await?;
    Ok(())
}
