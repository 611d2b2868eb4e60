use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One request to process one video.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscodeJob {
    /// The video to process.
    pub video_id: Uuid,
    /// Identifies this processing request (returned to the uploader as `task_id`).
    pub task_id: Uuid,
    /// W3C `traceparent` of the upload, so the worker's spans join its trace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
}
