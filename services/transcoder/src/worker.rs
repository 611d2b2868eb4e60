//! The consume loop: one job at a time (a transcode already uses every core), stale jobs of
//! dead workers before new ones, and a check for shutdown between jobs.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use anb_grpc::error_chain;
use anb_queue::{Delivery, JobQueue};
use tokio_util::sync::CancellationToken;

use crate::{backoff::Backoff, pipeline::Pipeline, videos::Videos};

/// How long one read waits for a new job; also the longest a worker idles before it
/// notices a shutdown or looks for stale jobs again.
const POLL_BLOCK: Duration = Duration::from_secs(2);

/// Jobs finished by this process, for `GetQueueStats`.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) processed: AtomicU64,
    pub(crate) failed: AtomicU64,
}

impl Counters {
    pub(crate) fn count_processed(&self) {
        self.processed.fetch_add(1, Ordering::Relaxed);
        crate::metrics::job_processed();
    }

    pub(crate) fn count_failed(&self) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        crate::metrics::job_failed();
    }
}

/// How jobs are retried and handed over.
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    pub(crate) max_attempts: u64,
    pub(crate) reclaim_idle: Duration,
    pub(crate) backoff: Backoff,
    pub(crate) shutdown_grace: Duration,
}

/// One consumer of the job stream.
pub(crate) struct Worker {
    pub(crate) queue: JobQueue,
    pub(crate) consumer: String,
    pub(crate) videos: Videos,
    pub(crate) pipeline: Pipeline,
    pub(crate) policy: Policy,
    pub(crate) counters: Arc<Counters>,
}

impl Worker {
    /// Consumes jobs until `cancel` fires; the job in hand when it fires gets the shutdown
    /// grace to finish, then is handed back to the queue.
    pub(crate) async fn run(self, cancel: CancellationToken) {
        tracing::info!(consumer = %self.consumer, "worker started");
        let mut outage = 0;
        while !cancel.is_cancelled() {
            match self.next_delivery().await {
                Ok(Some(delivery)) => {
                    outage = 0;
                    self.handle(delivery, &cancel).await;
                }
                Ok(None) => outage = 0,
                Err(err) => {
                    outage += 1;
                    let pause = self.policy.backoff.delay(outage);
                    tracing::warn!(error = %error_chain(&err), ?pause, "cannot read the job queue");
                    pause_unless_cancelled(pause, &cancel).await;
                }
            }
        }
        tracing::info!(consumer = %self.consumer, "worker stopped");
    }

    async fn next_delivery(&self) -> Result<Option<Delivery>, anb_queue::Error> {
        let stale = self
            .queue
            .reclaim_stale(&self.consumer, self.policy.reclaim_idle)
            .await?;
        if let Some(delivery) = stale {
            tracing::info!(entry_id = %delivery.entry_id, deliveries = delivery.deliveries, "reclaimed a stale job");
            return Ok(Some(delivery));
        }
        self.queue.read_new(&self.consumer, POLL_BLOCK).await
    }
}

/// Sleeps for `pause`, or less if `cancel` fires first.
pub(crate) async fn pause_unless_cancelled(pause: Duration, cancel: &CancellationToken) {
    tokio::select! {
        () = tokio::time::sleep(pause) => {}
        () = cancel.cancelled() => {}
    }
}
