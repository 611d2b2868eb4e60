//! The transcoder: consumes the transcode job stream, runs the FFmpeg pipeline on each
//! video, reports the outcome to `videos`, and retries or dead-letters failing jobs. It
//! serves `anb.transcoder.v1.TranscoderService` (queue stats) with health and reflection.
//! It has no database and never writes another service's tables.

mod backoff;
mod config;
mod error;
mod grpc;
mod job;
mod metrics;
mod pipeline;
mod trace;
mod videos;
mod worker;

use std::{future::Future, sync::Arc, time::Duration};

use anb_proto::transcoder::v1::transcoder_service_server::TranscoderServiceServer;
use anb_queue::JobQueue;
use anb_storage::Storage;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;

pub use crate::{
    backoff::Backoff,
    config::{Cli, Command, Config, InvalidConfig},
    error::{Error, Result},
    grpc::TranscoderService,
};
use crate::{
    pipeline::Pipeline,
    videos::Videos,
    worker::{Counters, Policy, Worker},
};

/// Beyond the shutdown grace, how long the worker may take to hand its job back.
const HAND_BACK_MARGIN: Duration = Duration::from_secs(5);

/// The connected parts of a running transcoder.
pub struct App {
    worker: Worker,
    service: TranscoderService,
    shutdown_grace: Duration,
    metrics_refresh: anb_metrics::Refresh,
}

impl App {
    /// Prepares storage and connects to Redis (waiting up to the configured time); the
    /// videos channel connects on first use.
    ///
    /// # Errors
    /// When storage cannot be prepared or Redis stays unreachable.
    pub async fn connect(config: &Config) -> Result<Self> {
        let storage = Storage::new(&config.storage_root);
        storage.prepare().await.map_err(|source| Error::Storage {
            path: config.storage_root.clone(),
            source,
        })?;
        // The worker's blocking reads hold their connection, so the API gets its own.
        let worker_redis = anb_queue::connect(&config.redis_url, config.connect_wait()).await?;
        let api_redis = anb_queue::connect(&config.redis_url, config.connect_wait()).await?;
        let queue = JobQueue::new(worker_redis, config.queue_names());
        queue.ensure_group().await?;
        anb_media::init();

        let settings = anb_media::TranscodeSettings {
            preset: config.x264_preset.clone(),
            crf: u32::from(config.x264_crf),
            ..anb_media::TranscodeSettings::default()
        };
        let pipeline = Pipeline::new(storage, settings);
        pipeline.remove_stale_parts().await;
        let counters = Arc::new(Counters::default());
        let worker = Worker {
            queue,
            consumer: config.consumer(),
            videos: Videos::new(
                anb_grpc::lazy_channel(&config.videos_url)?,
                config.backoff(),
            ),
            pipeline,
            policy: Policy {
                max_attempts: config.max_attempts,
                reclaim_idle: config.reclaim_idle(),
                backoff: config.backoff(),
                shutdown_grace: config.shutdown_grace(),
            },
            counters: Arc::clone(&counters),
        };
        let metrics_refresh =
            metrics::queue_refresh(JobQueue::new(api_redis.clone(), config.queue_names()));
        let service =
            TranscoderService::new(JobQueue::new(api_redis, config.queue_names()), counters);

        Ok(Self {
            worker,
            service,
            shutdown_grace: config.shutdown_grace(),
            metrics_refresh,
        })
    }

    /// Reads the queue depth into the metrics before each scrape, for [`anb_metrics::start`].
    pub fn metrics_refresh(&self) -> anb_metrics::Refresh {
        std::sync::Arc::clone(&self.metrics_refresh)
    }
}

/// Runs the worker and serves the gRPC API on `listener` until `shutdown` resolves; then
/// stops taking jobs, lets the current one finish within the grace period (or hands it
/// back to the queue) and drains in-flight calls.
///
/// # Errors
/// When the gRPC server fails.
pub async fn run(
    app: App,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<()> {
    let App {
        worker,
        service,
        shutdown_grace,
        ..
    } = app;
    let cancel = CancellationToken::new();
    let worker = tokio::spawn(worker.run(cancel.clone()));
    let names = [anb_grpc::service_name::<
        TranscoderServiceServer<TranscoderService>,
    >()];
    let routes = Routes::new(TranscoderServiceServer::new(service));
    let server = anb_grpc::serve(listener, routes, &names, cancel.clone().cancelled_owned());
    tokio::pin!(server);

    let failed_early = tokio::select! {
        () = shutdown => None,
        served = &mut server => Some(served),
    };
    cancel.cancel();

    let drain = async {
        match failed_early {
            Some(served) => served,
            None => tokio::time::timeout(shutdown_grace, &mut server)
                .await
                .unwrap_or_else(|_| {
                    tracing::warn!("in-flight calls did not drain in time");
                    Ok(())
                }),
        }
    };
    let stop_worker = async {
        let abort = worker.abort_handle();
        if tokio::time::timeout(shutdown_grace + HAND_BACK_MARGIN, worker)
            .await
            .is_err()
        {
            tracing::warn!("worker did not stop in time");
            abort.abort();
        }
    };
    let (served, ()) = tokio::join!(drain, stop_worker);
    served?;
    Ok(())
}
