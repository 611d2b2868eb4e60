//! The trace context crosses the queue in the job's `traceparent`, so a job's spans join
//! the trace of the upload that enqueued it, and leaves with every call to `videos`.

use anb_queue::Delivery;
use tracing::Span;

/// The span of one delivery, a child of the upload's trace when the job carries one.
pub(crate) fn job_span(delivery: &Delivery) -> Span {
    let span = tracing::info_span!(
        "transcode_job",
        video_id = %delivery.job.video_id,
        task_id = %delivery.job.task_id,
        entry_id = %delivery.entry_id,
        deliveries = delivery.deliveries,
    );
    if let Some(traceparent) = &delivery.job.traceparent {
        anb_telemetry::trace::continue_trace(&span, traceparent);
    }
    span
}
