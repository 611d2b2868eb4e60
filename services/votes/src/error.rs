use anb_grpc::{internal_status, status_with_reason, unavailable_status};
use anb_identity::TokenError;
use sea_orm::DbErr;
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
    /// The caller's access token was refused.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The video id of a vote is not a UUID.
    #[error("video_id is not a valid video id")]
    MalformedVideoId,
    /// No such video, or another player's private one.
    #[error("no such video")]
    VideoNotFound,
    /// The video exists but is not processed and public.
    #[error("the video is not published for voting yet")]
    NotPublished,
    /// The caller already voted for this video.
    #[error("you already voted for this video")]
    AlreadyVoted,
    /// The caller cast too many votes in the current window.
    #[error("too many votes; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// A paging or filter parameter out of range.
    #[error("{0}")]
    InvalidParameter(&'static str),
    /// The videos service could not be reached in time.
    #[error("videos service unavailable")]
    VideosUnavailable(#[source] Status),
    /// The videos service refused in a way the caller cannot fix.
    #[error("videos service failed")]
    Videos(#[source] Status),
    /// The videos service answered without the video's owner.
    #[error("videos service answered without an owner")]
    MissingOwner,
    /// The database could not be reached in time.
    #[error("database unavailable")]
    DatabaseUnavailable(#[source] DbErr),
    /// Any other database failure.
    #[error("database error")]
    Database(#[source] DbErr),
    /// The batch holding this vote could not be written; every vote of it gets this.
    #[error("writing the vote failed")]
    Batch(#[source] std::sync::Arc<Error>),
    /// The server is stopping and no longer writes votes.
    #[error("the service is shutting down")]
    ShuttingDown,
    /// Redis failed where the caller needed it (the reconciler; votes and reads fall back).
    #[error("redis error")]
    Redis(#[from] fred::error::Error),
    /// A setting the server cannot work with.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The gRPC server failed.
    #[error("serving gRPC")]
    Transport(#[from] tonic::transport::Error),
}

impl From<DbErr> for Error {
    fn from(err: DbErr) -> Self {
        if anb_db::is_unavailable(&err) {
            Self::DatabaseUnavailable(err)
        } else {
            Self::Database(err)
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
            Error::Token(token) => token_status(&token),
            Error::MalformedVideoId => {
                status_with_reason(Code::InvalidArgument, "invalid_video_id", err.to_string())
            }
            Error::VideoNotFound => {
                status_with_reason(Code::NotFound, "video_not_found", err.to_string())
            }
            Error::NotPublished => {
                status_with_reason(Code::FailedPrecondition, "not_published", err.to_string())
            }
            Error::AlreadyVoted => {
                status_with_reason(Code::AlreadyExists, "already_voted", err.to_string())
            }
            Error::InvalidParameter(_) => {
                status_with_reason(Code::InvalidArgument, "invalid_parameter", err.to_string())
            }
            Error::RateLimited { retry_after_secs } => rate_limited(retry_after_secs),
            Error::Batch(ref inner) if matches!(**inner, Error::DatabaseUnavailable(_)) => {
                unavailable_status(&err, "unavailable", "service temporarily unavailable")
            }
            Error::DatabaseUnavailable(_) | Error::VideosUnavailable(_) | Error::ShuttingDown => {
                unavailable_status(&err, "unavailable", "service temporarily unavailable")
            }
            _ => internal_status(&err),
        }
    }
}

/// RESOURCE_EXHAUSTED (reason `vote_rate_limited`) with the whole seconds to wait in
/// `retry-after` metadata, which the gateway turns into a 429 with `Retry-After`.
fn rate_limited(retry_after_secs: u64) -> Status {
    let mut status = status_with_reason(
        Code::ResourceExhausted,
        "vote_rate_limited",
        Error::RateLimited { retry_after_secs }.to_string(),
    );
    status.metadata_mut().insert(
        "retry-after",
        retry_after_secs
            .to_string()
            .parse()
            .expect("a decimal number is valid metadata"),
    );
    status
}

/// Refused tokens carry their stable reason; missing keys mean `auth` is down, not that the
/// caller did anything wrong.
fn token_status(err: &TokenError) -> Status {
    if *err == TokenError::KeysUnavailable {
        return status_with_reason(Code::Unavailable, err.code(), "authentication unavailable");
    }
    status_with_reason(Code::Unauthenticated, err.code(), err.to_string())
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
    fn voting_refusals_carry_the_documented_codes_and_reasons() {
        let cases = [
            (Error::VideoNotFound, Code::NotFound, "video_not_found"),
            (
                Error::NotPublished,
                Code::FailedPrecondition,
                "not_published",
            ),
            (Error::AlreadyVoted, Code::AlreadyExists, "already_voted"),
            (
                Error::InvalidParameter("limit must be between 1 and 100"),
                Code::InvalidArgument,
                "invalid_parameter",
            ),
            (
                Error::Token(TokenError::Expired),
                Code::Unauthenticated,
                "token_expired",
            ),
            (
                Error::Token(TokenError::KeysUnavailable),
                Code::Unavailable,
                "keys_unavailable",
            ),
        ];

        for (err, code, reason) in cases {
            let status = Status::from(err);
            assert_eq!(
                (status.code(), reason_of_owned(&status)),
                (code, Some(reason.to_owned()))
            );
        }
    }

    #[test]
    fn videos_failures_hide_their_details() {
        let down = Status::from(Error::VideosUnavailable(Status::unavailable(
            "tcp 10.0.0.3",
        )));
        let broken = Status::from(Error::Videos(Status::internal("row 17")));

        assert_eq!(
            (down.code(), down.message()),
            (Code::Unavailable, "service temporarily unavailable")
        );
        assert_eq!(
            (broken.code(), broken.message()),
            (Code::Internal, "internal error")
        );
    }

    #[test]
    fn too_many_votes_say_when_to_come_back() {
        let status = Status::from(Error::RateLimited {
            retry_after_secs: 42,
        });

        assert_eq!(status.code(), Code::ResourceExhausted);
        assert_eq!(anb_grpc::reason_of(&status), Some("vote_rate_limited"));
        assert_eq!(
            status
                .metadata()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            Some("42")
        );
    }

    fn reason_of_owned(status: &Status) -> Option<String> {
        anb_grpc::reason_of(status).map(str::to_owned)
    }

    #[test]
    fn database_failures_hide_their_details() {
        let status = Status::from(Error::from(DbErr::Custom("relation votes".to_owned())));

        assert_eq!(status.code(), Code::Internal);
        assert_eq!(status.message(), "internal error");
    }
}
