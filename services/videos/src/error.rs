use anb_db::is_unavailable;
use anb_grpc::{internal_status, status_with_reason, unavailable_status};
use anb_identity::TokenError;
use sea_orm::DbErr;
use tonic::{Code, Status};

/// Everything that can go wrong in the service, client-caused conditions first.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("a title is required")]
    MissingTitle,
    #[error("{0}")]
    InvalidTitle(String),
    #[error("a video file is required")]
    MissingFile,
    #[error("the file is larger than the {limit} upload limit")]
    FileTooLarge { limit: String },
    #[error("{0}")]
    NotMp4(String),
    #[error("{0}")]
    UnreadableVideo(String),
    #[error("{0}")]
    NoVideoStream(String),
    #[error("{0}")]
    VideoTooLarge(String),
    #[error("video must be between {min} and {max} seconds long, got {actual:.1} s")]
    InvalidDuration { min: u64, max: u64, actual: f64 },
    #[error("video must be at least {min} pixels on its shorter side, got {width}x{height}")]
    ResolutionTooLow { min: u32, width: u32, height: u32 },
    #[error("{0}")]
    InvalidRequest(String),
    #[error("the upload stream broke off before it finished")]
    UploadInterrupted(#[source] Status),
    #[error("the upload sent nothing for {idle_secs} s and was dropped")]
    UploadStalled { idle_secs: u64 },
    #[error("no such video")]
    NotFound,
    #[error("this video belongs to another player")]
    NotOwner,
    #[error("this video is published for voting and can no longer be deleted")]
    AlreadyPublished,
    #[error("only a processed video can be published")]
    NotProcessed,
    #[error("{0}")]
    InvalidParameter(String),
    #[error("profile lookup: {}", .0.message())]
    Profile(#[source] Status),
    #[error("database")]
    Database(#[from] DbErr),
    #[error("storage")]
    Io(#[from] std::io::Error),
    #[error("probing task failed")]
    Task(#[from] tokio::task::JoinError),
    #[error("redis")]
    Redis(#[from] fred::error::Error),
    #[error("grpc transport")]
    Transport(#[from] tonic::transport::Error),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The gRPC code and the stable reason the gateway puts in its error body.
    fn classify(&self) -> (Code, &'static str) {
        match self {
            Self::Token(TokenError::KeysUnavailable) => (Code::Unavailable, "keys_unavailable"),
            Self::Token(err) => (Code::Unauthenticated, err.code()),
            Self::MissingTitle => (Code::InvalidArgument, "missing_title"),
            Self::InvalidTitle(_) => (Code::InvalidArgument, "invalid_title"),
            Self::MissingFile => (Code::InvalidArgument, "missing_file"),
            Self::FileTooLarge { .. } => (Code::OutOfRange, "file_too_large"),
            Self::NotMp4(_) => (Code::InvalidArgument, "not_mp4"),
            Self::UnreadableVideo(_) => (Code::InvalidArgument, "unreadable_video"),
            Self::NoVideoStream(_) => (Code::InvalidArgument, "no_video_stream"),
            Self::VideoTooLarge(_) => (Code::InvalidArgument, "video_too_large"),
            Self::InvalidDuration { .. } => (Code::InvalidArgument, "invalid_duration"),
            Self::ResolutionTooLow { .. } => (Code::InvalidArgument, "resolution_too_low"),
            Self::InvalidRequest(_) => (Code::InvalidArgument, "invalid_request"),
            Self::UploadInterrupted(_) => (Code::Cancelled, "upload_interrupted"),
            Self::UploadStalled { .. } => (Code::DeadlineExceeded, "upload_stalled"),
            Self::NotFound => (Code::NotFound, "video_not_found"),
            Self::NotOwner => (Code::PermissionDenied, "not_owner"),
            Self::AlreadyPublished => (Code::FailedPrecondition, "already_published"),
            Self::NotProcessed => (Code::FailedPrecondition, "not_processed"),
            Self::InvalidParameter(_) => (Code::InvalidArgument, "invalid_parameter"),
            Self::Profile(status) => profile_failure(status),
            Self::Database(err) if is_unavailable(err) => (Code::Unavailable, "unavailable"),
            Self::Redis(_) => (Code::Unavailable, "unavailable"),
            Self::Database(_) | Self::Io(_) | Self::Task(_) | Self::Transport(_) => {
                (Code::Internal, "internal")
            }
        }
    }
}

/// `auth` refusing the caller's token is the caller's problem; anything else means the
/// upload cannot be attributed right now, which retrying may fix.
fn profile_failure(status: &Status) -> (Code, &'static str) {
    match status.code() {
        Code::Unauthenticated => (Code::Unauthenticated, "invalid_token"),
        Code::NotFound => (Code::Unauthenticated, "unknown_user"),
        _ => (Code::Unavailable, "auth_unavailable"),
    }
}

impl From<Error> for Status {
    fn from(err: Error) -> Self {
        let (code, reason) = err.classify();
        match code {
            Code::Internal => internal_status(&err),
            Code::Unavailable => {
                unavailable_status(&err, reason, "service temporarily unavailable")
            }
            _ => {
                tracing::debug!(error = %err, reason, "request refused");
                status_with_reason(code, reason, err.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use anb_grpc::reason_of;

    use super::*;

    fn status(err: Error) -> (Code, String, Option<String>) {
        let status = Status::from(err);
        (
            status.code(),
            status.message().to_owned(),
            reason_of(&status).map(str::to_owned),
        )
    }

    #[test]
    fn client_errors_keep_their_message_and_reason() {
        let (code, message, reason) = status(Error::InvalidDuration {
            min: 20,
            max: 60,
            actual: 12.34,
        });

        assert_eq!(code, Code::InvalidArgument);
        assert_eq!(
            message,
            "video must be between 20 and 60 seconds long, got 12.3 s"
        );
        assert_eq!(reason.as_deref(), Some("invalid_duration"));
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let (code, message, reason) = status(Error::Database(DbErr::Custom("secret".into())));

        assert_eq!(code, Code::Internal);
        assert_eq!(message, "internal error");
        assert_eq!(reason.as_deref(), Some("internal"));
    }

    #[test]
    fn publication_rules_are_failed_preconditions_with_their_reasons() {
        let (code, _, reason) = status(Error::AlreadyPublished);
        assert_eq!(code, Code::FailedPrecondition);
        assert_eq!(reason.as_deref(), Some("already_published"));

        let (code, _, reason) = status(Error::NotProcessed);
        assert_eq!(code, Code::FailedPrecondition);
        assert_eq!(reason.as_deref(), Some("not_processed"));
    }

    #[test]
    fn an_unreachable_auth_is_unavailable_but_a_refused_token_is_unauthenticated() {
        let down = status(Error::Profile(Status::unavailable("connection refused")));
        let refused = status(Error::Profile(Status::unauthenticated("revoked")));

        assert_eq!(down.0, Code::Unavailable);
        assert_eq!(down.1, "service temporarily unavailable");
        assert_eq!(refused.0, Code::Unauthenticated);
    }

    #[test]
    fn ownership_and_size_map_to_their_codes() {
        assert_eq!(status(Error::NotOwner).0, Code::PermissionDenied);
        assert_eq!(status(Error::NotFound).0, Code::NotFound);
        let (code, message, reason) = status(Error::FileTooLarge {
            limit: "100 MB".into(),
        });
        assert_eq!(code, Code::OutOfRange);
        assert_eq!(message, "the file is larger than the 100 MB upload limit");
        assert_eq!(reason.as_deref(), Some("file_too_large"));
        assert_eq!(
            status(Error::Token(TokenError::Missing)).0,
            Code::Unauthenticated
        );
    }
}
