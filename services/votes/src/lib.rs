//! `anb-votes` owns the players' votes (`anb.votes.v1.VotesService`); for now it serves
//! CountVotes, the vote count of each requested video, from the `votes` table.
//!
//! TODO: casting votes (one per user and video, fraud control), the user's own votes, and
//! the rankings (Redis sorted sets rebuilt from Postgres, global and per city, with a live
//! stream) are not built — players cannot vote yet and `GET /api/public/rankings` and
//! `GET /api/user/votes` have nothing to serve.

pub mod config;
pub mod counts;
pub mod db;
pub mod error;
pub mod grpc;
pub mod ids;
pub mod migration;

use std::{future::Future, time::Duration};

use anb_proto::votes::v1::votes_service_server::VotesServiceServer;
use sea_orm::DatabaseConnection;
use sea_orm_migration::MigratorTrait;
use tokio::{net::TcpListener, sync::Notify};
use tonic::service::Routes;

use crate::grpc::VotesService;
pub use crate::{
    config::{Cli, Command, Config, ConfigError},
    error::{Error, Result},
    migration::Migrator,
};

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
    db: DatabaseConnection,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<()> {
    config.validate()?;
    let served = [anb_grpc::service_name::<VotesServiceServer<VotesService>>()];
    let routes = Routes::new(VotesServiceServer::new(VotesService::new(db)));
    let grace = config.shutdown_grace();

    let stopping = Notify::new();
    let signal = async {
        shutdown.await;
        stopping.notify_one();
    };
    let overdue = async {
        stopping.notified().await;
        tokio::time::sleep(grace).await;
    };

    tokio::select! {
        served = anb_grpc::serve(listener, routes, &served, signal) => served?,
        () = overdue => warn_overdue(grace),
    }
    Ok(())
}

fn warn_overdue(grace: Duration) {
    tracing::warn!(
        grace_secs = grace.as_secs(),
        "calls still running after the shutdown grace period; stopping anyway"
    );
}
