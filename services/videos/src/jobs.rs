//! Handing videos to the transcoder through the job stream, with the trace context so the
//! worker's spans join the trace of the request that queued them.

use std::time::{Duration, Instant};

use anb_queue::{JobQueue, QueueNames, TranscodeJob};
use fred::{
    prelude::{ClientLike, ReconnectPolicy},
    types::Builder,
};

use crate::{
    error::Result,
    ids::{TaskId, VideoId},
};

/// Queues one transcode of `video_id`. A failure is logged, not returned: the video stays
/// `uploaded` and the sweep queues it again later.
pub(crate) async fn enqueue(queue: &JobQueue, video_id: VideoId, task_id: TaskId) -> bool {
    let job = TranscodeJob {
        video_id: video_id.0,
        task_id: task_id.0,
        traceparent: current_traceparent(),
    };
    match queue.enqueue(&job).await {
        Ok(entry) => {
            tracing::debug!(%video_id, %task_id, entry, "transcode job queued");
            true
        }
        Err(err) => {
            tracing::warn!(%video_id, %task_id, error = %err, "cannot queue transcode job, the sweep will retry");
            false
        }
    }
}

/// The W3C `traceparent` of the current span, when spans have ids.
fn current_traceparent() -> Option<String> {
    anb_telemetry::trace::trace_parent(&tracing::Span::current()).map(|ids| ids.to_string())
}

/// Connects to Redis, retrying for up to `wait` (on a fresh host it may still be starting),
/// and returns the job queue under `prefix`.
///
/// # Errors
/// The last connection error once `wait` has passed.
pub async fn connect_queue(url: &str, prefix: &str, wait: Duration) -> Result<JobQueue> {
    let client = Builder::from_config(fred::prelude::Config::from_url(url)?)
        .with_connection_config(|c| c.connection_timeout = Duration::from_secs(3))
        .with_performance_config(|p| p.default_command_timeout = Duration::from_secs(5))
        .set_policy(ReconnectPolicy::new_exponential(0, 100, 5_000, 2))
        .build()?;
    let deadline = Instant::now() + wait;
    loop {
        match client.init().await {
            Ok(_connection_task) => break,
            Err(err) if Instant::now() < deadline => {
                tracing::warn!(error = %err, "redis not reachable yet, retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(err) => return Err(err.into()),
        }
    }
    Ok(JobQueue::new(client, QueueNames::with_prefix(prefix)))
}
