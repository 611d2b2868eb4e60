//! What the transcoder reports: a job started, a job ended.

use anb_proto::videos::v1::{
    RecordTranscodeResultRequest, record_transcode_result_request::Outcome,
};
use chrono::Utc;
use sea_orm::DatabaseConnection;

use crate::{
    error::{Error, Result},
    ids::VideoId,
    store,
};

/// Failure reasons are shown to players; a runaway message is cut to this many characters.
const MAX_REASON_CHARS: usize = 500;

/// Marks `video_id` as being processed.
pub(crate) async fn start(db: &DatabaseConnection, video_id: &str) -> Result<()> {
    let id = VideoId::parse(video_id).ok_or(Error::NotFound)?;
    store::mark_processing(db, id, Utc::now()).await
}

/// Records the outcome of a job; recording the same outcome twice is harmless.
pub(crate) async fn finish(
    db: &DatabaseConnection,
    request: RecordTranscodeResultRequest,
) -> Result<()> {
    let id = VideoId::parse(&request.video_id).ok_or(Error::NotFound)?;
    match request.outcome {
        Some(Outcome::Succeeded(done)) => {
            if done.duration_ms <= 0 {
                return Err(Error::InvalidRequest(
                    "duration_ms must be positive".to_owned(),
                ));
            }
            store::record_success(db, id, done.duration_ms, Utc::now()).await
        }
        Some(Outcome::Failed(failed)) => {
            let reason: String = failed
                .reason
                .trim()
                .chars()
                .take(MAX_REASON_CHARS)
                .collect();
            if reason.is_empty() {
                return Err(Error::InvalidRequest("a failure needs a reason".to_owned()));
            }
            store::record_failure(db, id, &reason, Utc::now()).await
        }
        None => Err(Error::InvalidRequest("outcome is required".to_owned())),
    }
}
