use anb_grpc::status_with_reason;
use sea_orm::{DbErr, error::ConnAcquireErr};
use tonic::{Code, Status};

use crate::counts::MAX_IDS_PER_CALL;

/// Result of the votes crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the votes service.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// More ids than one call may ask for.
    #[error("at most {MAX_IDS_PER_CALL} video_ids per call, got {count}")]
    TooManyIds { count: usize },
    /// A requested id is not a UUID.
    #[error("video_ids[{index}] is not a valid video id")]
    InvalidVideoId { index: usize },
    /// The database could not be reached in time.
    #[error("database unavailable")]
    DatabaseUnavailable(#[source] DbErr),
    /// Any other database failure.
    #[error("database error")]
    Database(#[source] DbErr),
    /// A setting the server cannot work with.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The gRPC server failed.
    #[error("serving gRPC")]
    Transport(#[from] tonic::transport::Error),
}

impl From<DbErr> for Error {
    fn from(err: DbErr) -> Self {
        match err {
            DbErr::ConnectionAcquire(
                ConnAcquireErr::Timeout | ConnAcquireErr::ConnectionClosed,
            )
            | DbErr::Conn(_) => Self::DatabaseUnavailable(err),
            other => Self::Database(other),
        }
    }
}

impl From<Error> for Status {
    fn from(err: Error) -> Self {
        match err {
            Error::TooManyIds { .. } => {
                status_with_reason(Code::InvalidArgument, "too_many_ids", err.to_string())
            }
            Error::InvalidVideoId { .. } => {
                status_with_reason(Code::InvalidArgument, "invalid_video_id", err.to_string())
            }
            Error::DatabaseUnavailable(_) => {
                tracing::error!(error = %error_chain(&err), "request failed");
                status_with_reason(
                    Code::Unavailable,
                    "unavailable",
                    "service temporarily unavailable",
                )
            }
            _ => {
                tracing::error!(error = %error_chain(&err), "request failed");
                status_with_reason(Code::Internal, "internal", "internal error")
            }
        }
    }
}

/// `err` and its sources, joined, for one log line.
fn error_chain(err: &dyn std::error::Error) -> String {
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
    fn bad_requests_are_invalid_argument_with_a_reason() {
        let many = Status::from(Error::TooManyIds { count: 501 });
        let invalid = Status::from(Error::InvalidVideoId { index: 2 });

        assert_eq!(many.code(), Code::InvalidArgument);
        assert_eq!(anb_grpc::reason_of(&many), Some("too_many_ids"));
        assert_eq!(invalid.code(), Code::InvalidArgument);
        assert_eq!(anb_grpc::reason_of(&invalid), Some("invalid_video_id"));
        assert_eq!(invalid.message(), "video_ids[2] is not a valid video id");
    }

    #[test]
    fn database_failures_hide_their_details() {
        let status = Status::from(Error::from(DbErr::Custom("relation votes".to_owned())));

        assert_eq!(status.code(), Code::Internal);
        assert_eq!(status.message(), "internal error");
    }
}
