//! The transcode job queue: a Redis stream read by a consumer group, so each job goes to
//! one worker, stays pending until acknowledged, and can be reclaimed from a dead worker.
//! `videos` enqueues; the transcoder consumes.
#![warn(missing_docs)]

mod job;
mod queue;

pub use job::TranscodeJob;
pub use queue::{Error, JobQueue, QueueNames};
