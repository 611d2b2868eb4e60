//! The transcode job queue: a Redis stream read by a consumer group, so each job goes to
//! one worker, stays pending until acknowledged, and can be reclaimed from a dead worker.
//! `videos` enqueues; the transcoder consumes, retries, and moves poison jobs to a
//! dead-letter stream.
#![warn(missing_docs)]

mod connect;
mod consumer;
mod entry;
mod job;
mod queue;
mod redrive;

pub use connect::{COMMAND_TIMEOUT, connect};
pub use consumer::{Delivery, QueueStats};
pub use entry::DeadLetter;
pub use job::TranscodeJob;
pub use queue::{Error, JobQueue, QueueNames};
