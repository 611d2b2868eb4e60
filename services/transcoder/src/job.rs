//! One delivery from start to acknowledgement. A job is acknowledged only once videos has
//! recorded its result; when the worker stops before that, the job goes back to the queue.

use std::time::{Duration, Instant};

use anb_grpc::error_chain;
use anb_queue::{Delivery, JobQueue};
use tokio_util::{sync::CancellationToken, task::AbortOnDropHandle};
use tracing::Instrument as _;

use crate::{
    trace::job_span,
    videos::{Interrupted, JobResult, Reply},
    worker::{Worker, pause_unless_cancelled},
};

/// Tries at acknowledging a finished job before leaving it to be reclaimed.
const FINISH_ATTEMPTS: u32 = 5;

/// How a finished job leaves the queue.
enum Finish {
    Ack,
    DeadLetter(String),
}

/// Whether the job is done with or must go back to the queue (shutdown).
#[must_use]
enum Flow {
    Done,
    HandBack,
}

impl Worker {
    pub(crate) async fn handle(&self, delivery: Delivery, cancel: &CancellationToken) {
        let span = job_span(&delivery);
        let heartbeat = AbortOnDropHandle::new(self.keep_alive(&delivery.entry_id));
        let (flow, delivery) = self
            .process(delivery, cancel)
            .instrument(span.clone())
            .await;
        // Stopped first, or a late heartbeat would undo the hand-back's idle time.
        drop(heartbeat);
        if let Flow::HandBack = flow {
            self.hand_back(&delivery).instrument(span).await;
        }
    }

    /// Signals every third of the idle limit that this worker still holds the job, so a
    /// long transcode is not taken over by another worker.
    fn keep_alive(&self, entry_id: &str) -> tokio::task::JoinHandle<()> {
        let (queue, consumer, entry_id): (JobQueue, String, String) = (
            self.queue.clone(),
            self.consumer.clone(),
            entry_id.to_owned(),
        );
        let period = (self.policy.reclaim_idle / 3).max(Duration::from_millis(100));
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            loop {
                ticks.tick().await;
                if let Err(err) = queue.touch(&consumer, &entry_id).await {
                    tracing::warn!(error = %error_chain(&err), %entry_id, "cannot refresh the job's claim");
                }
            }
        })
    }

    async fn process(
        &self,
        mut delivery: Delivery,
        cancel: &CancellationToken,
    ) -> (Flow, Delivery) {
        if delivery.deliveries > self.policy.max_attempts {
            let attempts = delivery.deliveries - 1;
            let reason = format!("processing did not finish after {attempts} attempts");
            return (self.give_up(&delivery, reason, cancel).await, delivery);
        }
        if let Reply::VideoGone = self.videos.mark_processing(&delivery.job).await {
            tracing::info!("video deleted before processing; dropping the job");
            self.finish(&delivery, Finish::Ack).await;
            return (Flow::Done, delivery);
        }

        loop {
            if cancel.is_cancelled() {
                return (Flow::HandBack, delivery);
            }
            let started = Instant::now();
            let Some(outcome) = self.transcode_within_grace(&delivery, cancel).await else {
                self.pipeline.remove_own_parts(delivery.job.video_id).await;
                return (Flow::HandBack, delivery);
            };
            let elapsed = started.elapsed();
            crate::metrics::attempt_finished(elapsed);
            let flow = match outcome {
                Ok(duration) => {
                    tracing::info!(?elapsed, ?duration, "transcoded");
                    self.succeed(&delivery, duration, cancel).await
                }
                Err(reason) if delivery.deliveries >= self.policy.max_attempts => {
                    self.give_up(&delivery, reason, cancel).await
                }
                Err(reason) => match self.retry(&delivery, &reason, cancel).await {
                    Some(deliveries) => {
                        delivery.deliveries = deliveries;
                        continue;
                    }
                    None => Flow::Done,
                },
            };
            return (flow, delivery);
        }
    }

    /// Runs the transcode; after a shutdown signal it gets the grace period to finish.
    async fn transcode_within_grace(
        &self,
        delivery: &Delivery,
        cancel: &CancellationToken,
    ) -> Option<Result<Duration, String>> {
        let grace_over = async {
            cancel.cancelled().await;
            tokio::time::sleep(self.policy.shutdown_grace).await;
        };
        tokio::select! {
            outcome = self.pipeline.transcode(delivery.job.video_id) => Some(outcome),
            () = grace_over => None,
        }
    }

    /// Waits out the backoff, then takes the job again as a new delivery. `None` when the
    /// job is no longer this worker's to retry.
    async fn retry(
        &self,
        delivery: &Delivery,
        reason: &str,
        cancel: &CancellationToken,
    ) -> Option<u64> {
        let retry = u32::try_from(delivery.deliveries).unwrap_or(u32::MAX);
        let pause = self.policy.backoff.delay(retry);
        tracing::warn!(
            reason,
            deliveries = delivery.deliveries,
            ?pause,
            "transcode failed; will retry"
        );
        pause_unless_cancelled(pause, cancel).await;
        if cancel.is_cancelled() {
            // Left pending: another worker reclaims it after the idle limit, a pause at
            // least as long as this backoff.
            return None;
        }
        match self
            .queue
            .redeliver(&self.consumer, &delivery.entry_id)
            .await
        {
            Ok(Some(deliveries)) => {
                crate::metrics::retried();
                Some(deliveries)
            }
            Ok(None) => {
                tracing::info!("job finished by another worker");
                None
            }
            Err(err) => {
                tracing::warn!(error = %error_chain(&err), "cannot retry now; the job will be reclaimed");
                None
            }
        }
    }

    async fn succeed(
        &self,
        delivery: &Delivery,
        duration: Duration,
        cancel: &CancellationToken,
    ) -> Flow {
        let result = JobResult::Succeeded { duration };
        match self.videos.record(&delivery.job, &result, cancel).await {
            Ok(Reply::Accepted) => {
                self.finish(delivery, Finish::Ack).await;
                self.counters.count_processed();
            }
            Ok(Reply::VideoGone) => {
                tracing::info!("video deleted while processing; removing its outputs");
                self.pipeline.remove_outputs(delivery.job.video_id).await;
                self.finish(delivery, Finish::Ack).await;
            }
            Ok(Reply::Refused(status)) => {
                tracing::error!(code = ?status.code(), message = status.message(), "videos refused the result");
                let reason = format!("videos refused the result: {}", status.message());
                self.finish(delivery, Finish::DeadLetter(reason)).await;
                self.counters.count_failed();
            }
            Err(Interrupted) => return Flow::HandBack,
        }
        Flow::Done
    }

    /// Fails the video with `reason` and dead-letters the job.
    async fn give_up(
        &self,
        delivery: &Delivery,
        reason: String,
        cancel: &CancellationToken,
    ) -> Flow {
        tracing::warn!(%reason, deliveries = delivery.deliveries, "giving up on the job");
        let result = JobResult::Failed {
            reason: reason.clone(),
        };
        let finish = match self.videos.record(&delivery.job, &result, cancel).await {
            Ok(Reply::Accepted) => Finish::DeadLetter(reason),
            Ok(Reply::VideoGone) => {
                tracing::info!("video deleted meanwhile; dropping the job");
                self.finish(delivery, Finish::Ack).await;
                return Flow::Done;
            }
            Ok(Reply::Refused(status)) => {
                tracing::error!(code = ?status.code(), message = status.message(), "videos refused the failure");
                Finish::DeadLetter(format!(
                    "{reason} (videos refused the report: {})",
                    status.message()
                ))
            }
            Err(Interrupted) => return Flow::HandBack,
        };
        self.finish(delivery, finish).await;
        self.counters.count_failed();
        Flow::Done
    }

    /// Gives an unfinished job back to the queue at shutdown, not counting this attempt,
    /// so any other worker can take it at once.
    async fn hand_back(&self, delivery: &Delivery) {
        let deliveries = delivery.deliveries.saturating_sub(1);
        let released = self
            .queue
            .release(
                &self.consumer,
                &delivery.entry_id,
                deliveries,
                self.policy.reclaim_idle,
            )
            .await;
        match released {
            Ok(()) => tracing::info!("shutting down; job handed back to the queue"),
            Err(err) => tracing::warn!(
                error = %error_chain(&err),
                "shutting down; job stays claimed until the idle limit passes"
            ),
        }
    }

    async fn finish(&self, delivery: &Delivery, finish: Finish) {
        for attempt in 1..=FINISH_ATTEMPTS {
            let done = match &finish {
                Finish::Ack => self.queue.ack(&delivery.entry_id).await.map(drop),
                Finish::DeadLetter(reason) => self.queue.dead_letter(delivery, reason).await,
            };
            match done {
                Ok(()) => {
                    if let Finish::DeadLetter(_) = finish {
                        crate::metrics::dead_lettered();
                    }
                    return;
                }
                Err(err) => {
                    tracing::warn!(error = %error_chain(&err), attempt, "cannot acknowledge the job");
                    tokio::time::sleep(self.policy.backoff.delay(attempt)).await;
                }
            }
        }
        tracing::error!("job left unacknowledged; it will be processed again after the idle limit");
    }
}
