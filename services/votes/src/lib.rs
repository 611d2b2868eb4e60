//! `anb-votes` owns the players' votes (`anb.votes.v1.VotesService`): CastVote (one vote
//! per user and video, decided by the database, rate-limited per user), ListMyVotes,
//! ListRankings (players ranked by votes received, from the Redis view kept equal to
//! Postgres, or from Postgres), WatchRankings (the same, pushed live) and CountVotes.

pub mod batch;
pub mod cache;
pub mod city;
pub mod config;
pub mod counts;
pub mod db;
pub mod error;
pub mod grpc;
pub mod ids;
pub mod limiter;
pub mod migration;
pub mod ranking;
pub mod reconcile;
pub mod videos;
pub mod view;
pub mod voting;
pub mod watch;

use std::{future::Future, sync::Arc};

use anb_identity::TokenVerifier;
use anb_proto::votes::v1::votes_service_server::VotesServiceServer;
use sea_orm::DatabaseConnection;
use sea_orm_migration::MigratorTrait;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;

use crate::{
    batch::VoteBatcher,
    cache::RankingCache,
    grpc::{Live, VotesService},
    limiter::VoteLimiter,
    view::RankingView,
};
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
    /// Redis for the ranking view, its change channel and the vote rate limit; it need not
    /// be reachable (see [`view`]).
    pub redis: fred::prelude::Client,
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
/// finish for at most `config.shutdown_grace_secs`. The reconciler and the change listener
/// run alongside and stop with it; open WatchRankings streams end at the shutdown signal.
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
    let cache = RankingCache::new(app.redis.clone(), &config.redis_prefix);
    let view = Arc::new(RankingView::new(app.db.clone(), cache.clone()));
    let cancel = CancellationToken::new();
    let workers = [
        tokio::spawn(reconcile::run(
            view.clone(),
            config.reconcile_interval(),
            cancel.clone(),
        )),
        tokio::spawn(watch::listen(
            app.redis.clone(),
            cache.channel(),
            view.changes.clone(),
            config.watch_poll(),
            cancel.clone(),
        )),
    ];
    let live = Live {
        limiter: VoteLimiter::new(
            app.redis.clone(),
            &config.redis_prefix,
            config.rate_limit_votes,
            config.rate_limit_window(),
        ),
        batcher: VoteBatcher::start(view.clone()),
        view,
        coalesce: config.watch_coalesce(),
        cancel: cancel.clone(),
    };

    let served = [anb_grpc::service_name::<VotesServiceServer<VotesService>>()];
    let service = VotesService::new(Arc::new(app), live);
    let routes = Routes::new(VotesServiceServer::new(service));
    let grace = config.shutdown_grace();
    let signal = async {
        shutdown.await;
        cancel.cancel();
    };

    let served = anb_grpc::serve_with_grace(listener, routes, &served, signal, grace).await;
    cancel.cancel();
    // A reconcile pass may be waiting on a Redis that is down; its writes are one atomic
    // script, so stopping it anywhere is safe.
    for worker in workers {
        worker.abort();
        let _ = worker.await;
    }
    served?;
    Ok(())
}
