use std::time::Duration;

use fred::prelude::{Client, StreamsInterface};

use crate::TranscodeJob;

/// Errors of the queue.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Redis refused or could not be reached.
    #[error("redis: {0}")]
    Redis(#[from] fred::error::Error),
    /// A stream entry is not a job this version understands.
    #[error("malformed job entry {id}: {reason}")]
    Malformed {
        /// Stream entry id.
        id: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Redis did not accept a connection in the allowed time.
    #[error("redis unreachable after {waited:?}")]
    Unreachable {
        /// How long start-up waited.
        waited: Duration,
        /// The last connection error, if an attempt finished at all.
        #[source]
        source: Option<fred::error::Error>,
    },
}

impl Error {
    /// Whether Redis answered that the consumer group does not exist (for example after
    /// Redis restarted without persistence).
    pub fn is_missing_group(&self) -> bool {
        matches!(self, Self::Redis(err) if err.details().starts_with("NOGROUP"))
    }
}

/// Names of the Redis keys the queue uses; tests give each run its own prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueNames {
    /// The job stream.
    pub stream: String,
    /// The consumer group of the workers.
    pub group: String,
    /// Where poison jobs go.
    pub dead_letters: String,
}

impl QueueNames {
    /// The names under `prefix`, e.g. `anb` gives `anb:transcode:jobs`.
    pub fn with_prefix(prefix: &str) -> Self {
        Self {
            stream: format!("{prefix}:transcode:jobs"),
            group: "transcoders".to_owned(),
            dead_letters: format!("{prefix}:transcode:dead"),
        }
    }
}

/// The transcode job stream.
#[derive(Clone)]
pub struct JobQueue {
    pub(crate) client: Client,
    pub(crate) names: QueueNames,
}

/// The field of a stream entry that holds the job as JSON.
pub(crate) const JOB_FIELD: &str = "job";

impl JobQueue {
    /// A queue on `client` with the given key names.
    pub fn new(client: Client, names: QueueNames) -> Self {
        Self { client, names }
    }

    /// The key names in use.
    pub fn names(&self) -> &QueueNames {
        &self.names
    }

    /// The Redis client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Appends `job` to the stream and returns the entry id.
    ///
    /// # Errors
    /// When Redis is unreachable.
    pub async fn enqueue(&self, job: &TranscodeJob) -> Result<String, Error> {
        let payload = serde_json::to_string(job).expect("a job always serializes to JSON");
        let id: String = self
            .client
            .xadd(
                &self.names.stream,
                false,
                None,
                "*",
                vec![(JOB_FIELD, payload)],
            )
            .await?;
        Ok(id)
    }
}
