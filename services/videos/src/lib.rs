//! `anb-videos` owns video records, upload intake, the storage layout of originals and
//! media URL signing. It serves `anb.videos.v1.VideosService`: `Upload`, `ListMyVideos`,
//! `GetVideo`, `DeleteVideo` and `PublishVideo` for players, `ListPublicVideos` for anyone,
//! `GetVotableVideo` for `votes`, `MarkProcessing` and `RecordTranscodeResult` for the
//! transcoder, and queues transcode jobs on the Redis stream.

mod config;
pub mod db;
mod error;
mod grpc;
pub mod ids;
mod intake;
mod jobs;
pub mod migration;
mod player;
mod processing;
mod publication;
mod store;
mod sweep;
mod upload;
mod view;

use std::{future::Future, sync::Arc, time::Duration};

use anb_identity::TokenVerifier;
use anb_proto::{
    auth::v1::auth_service_client::AuthServiceClient,
    videos::v1::videos_service_server::VideosServiceServer,
};
use anb_queue::JobQueue;
use anb_storage::{Storage, UrlSigner};
use sea_orm::DatabaseConnection;
use sea_orm_migration::MigratorTrait;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::{service::Routes, transport::Channel};

pub use config::{Command, Config, InvalidConfig};
pub use error::{Error, Result};
pub use grpc::VideosService;
pub use intake::{MAX_TITLE_CHARS, UploadPolicy};
pub use jobs::connect_queue;
pub use sweep::SweepSettings;

/// Everything a running service needs, built by `main` (or a test) and shared by all calls.
pub struct App {
    /// Connection pool whose `search_path` is the service's schema.
    pub db: DatabaseConnection,
    /// Where originals are written.
    pub storage: Storage,
    /// The transcode job stream.
    pub queue: JobQueue,
    /// Signs media URLs.
    pub signer: UrlSigner,
    /// Verifies callers' access tokens; tests inject one with fixed keys.
    pub verifier: Arc<TokenVerifier>,
    /// `auth`, asked for the uploader's profile (with the uploader's token) at upload.
    pub auth: AuthServiceClient<Channel>,
    /// Upload limits.
    pub policy: UploadPolicy,
    /// Re-queue sweep timing.
    pub sweep: SweepSettings,
    /// How long in-flight calls may finish after `shutdown` resolves.
    pub shutdown_grace: Duration,
}

/// Applies pending migrations to the connection's schema.
///
/// # Errors
/// When a migration fails.
pub async fn migrate(db: &DatabaseConnection) -> Result<()> {
    migration::Migrator::up(db, None).await?;
    Ok(())
}

/// Serves the gRPC API on `listener` and runs the re-queue sweep until `shutdown`
/// resolves, then drains in-flight calls for at most `app.shutdown_grace`.
///
/// # Errors
/// When the storage folders cannot be created or the transport fails.
pub async fn run(
    app: App,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    app.storage.prepare().await?;
    let app = Arc::new(app);
    let stop = CancellationToken::new();

    let sweeper = tokio::spawn(sweep::run(
        app.db.clone(),
        app.queue.clone(),
        app.sweep,
        stop.clone(),
    ));

    let routes = Routes::new(VideosServiceServer::new(VideosService::new(app.clone())));
    let served = [anb_grpc::service_name::<VideosServiceServer<VideosService>>()];
    let signalled = stop.clone();
    let stopping = async move {
        shutdown.await;
        signalled.cancel();
    };
    let grace = app.shutdown_grace;
    let outcome = anb_grpc::serve_with_grace(listener, routes, &served, stopping, grace)
        .await
        .map_err(Error::from);

    stop.cancel();
    if let Err(err) = sweeper.await {
        tracing::warn!(error = %err, "sweep task ended abnormally");
    }
    tracing::info!("shutdown complete");
    outcome
}
