//! What operators watch on the processing pipeline: jobs finished by outcome, how long
//! transcodes take, retries and dead letters counted as they happen, and the queue's depth
//! read from Redis at each scrape (it is shared by every worker, so no worker can count it).

use std::{sync::LazyLock, time::Duration};

use anb_metrics::{
    Histogram, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Refresh, counter, counter_vec,
    gauge_vec, histogram,
};
use anb_queue::JobQueue;

/// A transcode of a 20–60 s upload takes seconds to minutes on a small machine.
const TRANSCODE_BUCKETS: &[f64] = &[1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 45.0, 60.0, 120.0, 300.0];

static JOBS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "anb_transcoder_jobs_total",
        "Jobs finished by this worker: processed, or failed (dead-lettered)",
        &["outcome"],
    )
});

static TRANSCODE_SECONDS: LazyLock<Histogram> = LazyLock::new(|| {
    histogram(
        "anb_transcoder_job_duration_seconds",
        "Time of one transcode attempt, successful or not",
        TRANSCODE_BUCKETS,
    )
});

static RETRIES: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "anb_transcoder_retries_total",
        "Failed attempts taken again after the backoff",
    )
});

static DEAD_LETTERS: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "anb_transcoder_dead_letters_total",
        "Jobs moved to the dead-letter stream by this worker",
    )
});

static QUEUE: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    gauge_vec(
        "anb_transcoder_queue_jobs",
        "Jobs in Redis at the last scrape: stream (unfinished), pending (held by a worker), \
         dead (dead-letter stream)",
        &["state"],
    )
});

pub(crate) fn job_processed() {
    JOBS.with_label_values(&["processed"]).inc();
}

pub(crate) fn job_failed() {
    JOBS.with_label_values(&["failed"]).inc();
}

pub(crate) fn attempt_finished(elapsed: Duration) {
    TRANSCODE_SECONDS.observe(elapsed.as_secs_f64());
}

pub(crate) fn retried() {
    RETRIES.inc();
}

pub(crate) fn dead_lettered() {
    DEAD_LETTERS.inc();
}

/// Reads the queue's depth before each scrape. When Redis does not answer, the gauges keep
/// their last values and the failure is logged.
pub(crate) fn queue_refresh(queue: JobQueue) -> Refresh {
    // Registered now, so a scrape shows every family at zero before the first job.
    LazyLock::force(&JOBS);
    LazyLock::force(&TRANSCODE_SECONDS);
    LazyLock::force(&RETRIES);
    LazyLock::force(&DEAD_LETTERS);
    std::sync::Arc::new(move || {
        let queue = queue.clone();
        Box::pin(async move {
            match queue.stats().await {
                Ok(stats) => {
                    set(&QUEUE.with_label_values(&["stream"]), stats.stream_length);
                    set(&QUEUE.with_label_values(&["pending"]), stats.pending);
                    set(&QUEUE.with_label_values(&["dead"]), stats.dead_letters);
                }
                Err(err) => tracing::warn!(
                    error = %anb_grpc::error_chain(&err),
                    "cannot read the queue depth for metrics"
                ),
            }
        })
    })
}

fn set(gauge: &IntGauge, value: u64) {
    gauge.set(i64::try_from(value).unwrap_or(i64::MAX));
}
