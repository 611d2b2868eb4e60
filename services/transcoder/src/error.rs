use anb_grpc::status_with_reason;
use tonic::{Code, Status};

/// Result of the transcoder crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can stop the transcoder or fail one of its RPCs. Job failures are not
/// errors here: they become a `failed` video with a reason.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Redis refused a queue operation or could not be reached.
    #[error("job queue")]
    Queue(#[from] anb_queue::Error),
    /// The storage folders cannot be created.
    #[error("preparing storage at {}", .path.display())]
    Storage {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `TRANSCODER_VIDEOS_URL` is not a valid address.
    #[error(transparent)]
    VideosAddress(#[from] anb_grpc::InvalidAddress),
    /// The gRPC server failed.
    #[error("serving gRPC")]
    Transport(#[from] tonic::transport::Error),
}

impl From<Error> for Status {
    fn from(err: Error) -> Self {
        tracing::error!(error = %error_chain(&err), "request failed");
        match err {
            Error::Queue(_) => status_with_reason(
                Code::Unavailable,
                "unavailable",
                "the job queue is temporarily unavailable",
            ),
            _ => status_with_reason(Code::Internal, "internal", "internal error"),
        }
    }
}

/// `err` and all its sources, joined with `: `.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_outages_are_unavailable_and_say_nothing_internal() {
        let err = Error::Queue(anb_queue::Error::Malformed {
            id: "1-0".into(),
            reason: "x".into(),
        });

        let status = Status::from(err);

        assert_eq!(status.code(), Code::Unavailable);
        assert_eq!(status.message(), "the job queue is temporarily unavailable");
        assert_eq!(anb_grpc::reason_of(&status), Some("unavailable"));
    }
}
