use anb_grpc::{internal_status, unavailable_status};
use tonic::Status;

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
        match err {
            Error::Queue(_) => unavailable_status(
                &err,
                "unavailable",
                "the job queue is temporarily unavailable",
            ),
            _ => internal_status(&err),
        }
    }
}

#[cfg(test)]
mod tests {
    use tonic::Code;

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
