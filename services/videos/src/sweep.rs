//! The safety net behind the queue: videos that sat in `uploaded` or `processing` too long
//! (a lost queue entry, a failed enqueue, a worker that died) are queued again. Processing
//! is idempotent, so an occasional duplicate job costs time, never correctness.

use std::time::Duration;

use anb_queue::JobQueue;
use chrono::Utc;
use sea_orm::DatabaseConnection;
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

use crate::{error::Result, jobs, store};

/// Stale videos handled per round; the rest wait for the next round.
const BATCH: u64 = 100;

/// When the sweep runs and what it considers stuck.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepSettings {
    /// Time between rounds.
    pub interval: Duration,
    /// Age (since the last status change) after which a video is queued again.
    pub requeue_after: Duration,
}

/// Runs a round every interval (the first right away, to catch up after a restart) until
/// `stop` is cancelled.
pub(crate) async fn run(
    db: DatabaseConnection,
    queue: JobQueue,
    settings: SweepSettings,
    stop: CancellationToken,
) {
    let mut ticks = tokio::time::interval(settings.interval);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            _ = ticks.tick() => {}
        }
        match sweep_once(&db, &queue, settings.requeue_after).await {
            Ok(0) => {}
            Ok(requeued) => tracing::warn!(requeued, "re-queued stuck videos"),
            Err(err) => {
                tracing::warn!(error = %anb_grpc::error_chain(&err), "sweep round failed");
            }
        }
    }
}

/// One round; returns how many videos were queued again.
///
/// # Errors
/// When the database cannot be read or updated.
pub(crate) async fn sweep_once(
    db: &DatabaseConnection,
    queue: &JobQueue,
    requeue_after: Duration,
) -> Result<usize> {
    let now = Utc::now();
    let age = chrono::Duration::from_std(requeue_after).unwrap_or(chrono::Duration::MAX);
    let cutoff = now
        .checked_sub_signed(age)
        .unwrap_or(chrono::DateTime::<Utc>::MIN_UTC);

    let mut requeued = 0;
    for row in store::stale(db, cutoff, BATCH).await? {
        // Claim first so two instances sweeping at once queue each video only once.
        if store::claim_for_requeue(db, &row, now).await?
            && jobs::enqueue(queue, row.id, row.task_id).await
        {
            requeued += 1;
        }
    }
    Ok(requeued)
}
