//! Calls to the videos service, which owns the video records. The result of a job must
//! reach it before the job is acknowledged, so reporting retries until it succeeds, videos
//! refuses for good, or the worker shuts down.

use std::time::Duration;

use anb_proto::videos::v1::{
    MarkProcessingRequest, RecordTranscodeResultRequest, TranscodeFailed, TranscodeSucceeded,
    record_transcode_result_request::Outcome, videos_service_client::VideosServiceClient,
};
use anb_queue::TranscodeJob;
use tokio_util::sync::CancellationToken;
use tonic::{Code, Status, transport::Channel};

use crate::backoff::Backoff;

/// Longest one call to videos may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// What videos made of a report.
#[derive(Debug)]
pub(crate) enum Reply {
    /// Recorded.
    Accepted,
    /// The video was deleted meanwhile.
    VideoGone,
    /// Refused in a way a retry cannot change.
    Refused(Status),
}

/// Reporting stopped because the worker is shutting down.
#[derive(Debug)]
pub(crate) struct Interrupted;

/// What a job ended with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JobResult {
    Succeeded { duration: Duration },
    Failed { reason: String },
}

#[derive(Clone)]
pub(crate) struct Videos {
    client: VideosServiceClient<Channel>,
    backoff: Backoff,
}

impl Videos {
    pub(crate) fn new(channel: Channel, backoff: Backoff) -> Self {
        Self {
            client: VideosServiceClient::new(channel),
            backoff,
        }
    }

    /// Tells videos the job has started. Only a deleted video matters here: the status
    /// shown while processing is cosmetic, so other failures are logged and ignored.
    pub(crate) async fn mark_processing(&self, job: &TranscodeJob) -> Reply {
        let message = MarkProcessingRequest {
            video_id: job.video_id.to_string(),
            task_id: job.task_id.to_string(),
        };
        match self.client.clone().mark_processing(request(message)).await {
            Ok(_) => Reply::Accepted,
            Err(status) if status.code() == Code::NotFound => Reply::VideoGone,
            Err(status) => {
                tracing::warn!(code = ?status.code(), message = status.message(), "MarkProcessing failed; going on");
                Reply::Refused(status)
            }
        }
    }

    /// Records the job's result, retrying with backoff while videos is unreachable.
    pub(crate) async fn record(
        &self,
        job: &TranscodeJob,
        result: &JobResult,
        cancel: &CancellationToken,
    ) -> Result<Reply, Interrupted> {
        let message = RecordTranscodeResultRequest {
            video_id: job.video_id.to_string(),
            task_id: job.task_id.to_string(),
            outcome: Some(outcome(result)),
        };
        let mut retry = 0;
        loop {
            retry += 1;
            let status = match self
                .client
                .clone()
                .record_transcode_result(request(message.clone()))
                .await
            {
                Ok(_) => return Ok(Reply::Accepted),
                Err(status) if status.code() == Code::NotFound => return Ok(Reply::VideoGone),
                Err(status) if !is_transient(status.code()) => return Ok(Reply::Refused(status)),
                Err(status) => status,
            };
            let pause = self.backoff.delay(retry);
            tracing::warn!(
                retry,
                code = ?status.code(),
                message = status.message(),
                ?pause,
                "videos did not record the result; retrying"
            );
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                () = cancel.cancelled() => return Err(Interrupted),
            }
        }
    }
}

fn request<T>(message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.set_timeout(CALL_TIMEOUT);
    anb_grpc::inject_trace_context(request.metadata_mut());
    request
}

fn outcome(result: &JobResult) -> Outcome {
    match result {
        JobResult::Succeeded { duration } => Outcome::Succeeded(TranscodeSucceeded {
            duration_ms: i64::try_from(duration.as_millis()).unwrap_or(i64::MAX),
        }),
        JobResult::Failed { reason } => Outcome::Failed(TranscodeFailed {
            reason: reason.clone(),
        }),
    }
}

/// Whether a retry of the same call may succeed: outages, overload and server faults, as
/// opposed to answers about the request itself.
fn is_transient(code: Code) -> bool {
    !matches!(
        code,
        Code::InvalidArgument
            | Code::NotFound
            | Code::AlreadyExists
            | Code::PermissionDenied
            | Code::Unauthenticated
            | Code::FailedPrecondition
            | Code::OutOfRange
            | Code::Unimplemented
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outages_are_retried_and_answers_about_the_request_are_not() {
        let retried = [
            Code::Unavailable,
            Code::DeadlineExceeded,
            Code::Internal,
            Code::Unknown,
        ];
        let final_answers = [
            Code::InvalidArgument,
            Code::FailedPrecondition,
            Code::Unimplemented,
        ];

        assert!(retried.into_iter().all(is_transient));
        assert!(!final_answers.into_iter().any(is_transient));
    }

    #[test]
    fn durations_are_reported_in_whole_milliseconds() {
        let result = JobResult::Succeeded {
            duration: Duration::from_micros(34_033_333),
        };

        let Outcome::Succeeded(succeeded) = outcome(&result) else {
            panic!("succeeded expected")
        };

        assert_eq!(succeeded.duration_ms, 34_033);
    }
}
