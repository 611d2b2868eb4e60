use std::path::PathBuf;

use anb_grpc::{internal_status, status_with_reason, unavailable_status};
use anb_identity::TokenError;
use sea_orm::DbErr;
use tonic::{Code, Status};

use crate::validation::Violation;

/// Result of the auth crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the auth service.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A sign-up field breaks a rule.
    #[error("invalid sign-up: {}", .0.message)]
    InvalidArgument(Violation),
    /// The email already has an account.
    #[error("email already registered")]
    DuplicateEmail,
    /// Unknown email or wrong password; deliberately not told apart.
    #[error("invalid email or password")]
    InvalidCredentials,
    /// Too many failed log-ins for the account or the client address.
    #[error("too many log-in attempts")]
    Throttled { retry_after: std::time::Duration },
    /// The bearer token was refused.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// A valid token names an account that no longer exists.
    #[error("account no longer exists")]
    UnknownUser,
    /// The database could not be reached in time.
    #[error("database unavailable")]
    DatabaseUnavailable(#[source] DbErr),
    /// Any other database failure.
    #[error("database error")]
    Database(#[source] DbErr),
    /// Redis failed where auth cannot go on without it (revoking a token).
    #[error("redis unavailable")]
    Redis(#[source] fred::error::Error),
    /// Argon2 failed or its worker died.
    #[error("password hashing failed: {0}")]
    Hashing(String),
    /// jsonwebtoken could not sign a token.
    #[error("signing a token")]
    Signing(#[source] jsonwebtoken::errors::Error),
    /// No key file and key generation is off.
    #[error("signing key file {} does not exist (AUTH_GENERATE_SIGNING_KEY is off)", .path.display())]
    SigningKeyMissing { path: PathBuf },
    /// The key file is readable by group or others.
    #[error("signing key file {} has mode {mode:o}; it must not be readable by group or others (chmod 600)", .path.display())]
    SigningKeyExposed { path: PathBuf, mode: u32 },
    /// The key file holds no Ed25519 PKCS#8 PEM key.
    #[error("signing key file {} is not an Ed25519 PKCS#8 PEM key", .path.display())]
    SigningKeyInvalid { path: PathBuf },
    /// The key file or its folder cannot be read or written.
    #[error("signing key file {}", .path.display())]
    SigningKeyIo {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
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

impl From<Violation> for Error {
    fn from(violation: Violation) -> Self {
        Self::InvalidArgument(violation)
    }
}

impl From<Error> for Status {
    fn from(err: Error) -> Self {
        match err {
            Error::InvalidArgument(violation) => {
                status_with_reason(Code::InvalidArgument, violation.reason, violation.message)
            }
            Error::DuplicateEmail => status_with_reason(
                Code::AlreadyExists,
                "duplicate_email",
                "an account with this email already exists",
            ),
            Error::InvalidCredentials => status_with_reason(
                Code::Unauthenticated,
                "invalid_credentials",
                "invalid email or password",
            ),
            Error::Throttled { retry_after } => throttled(retry_after),
            Error::Token(token) => {
                let reason = token.code();
                let status = Status::from(token);
                status_with_reason(status.code(), reason, status.message())
            }
            Error::UnknownUser => {
                status_with_reason(Code::Unauthenticated, "unknown_user", err.to_string())
            }
            Error::DatabaseUnavailable(_) | Error::Redis(_) => {
                unavailable_status(&err, "unavailable", "service temporarily unavailable")
            }
            _ => internal_status(&err),
        }
    }
}

/// RESOURCE_EXHAUSTED with whole seconds to wait in `retry-after` metadata (at least 1), which
/// the gateway turns into the `Retry-After` header. The message never says whether the
/// account exists.
fn throttled(retry_after: std::time::Duration) -> Status {
    let mut status = status_with_reason(
        Code::ResourceExhausted,
        "too_many_attempts",
        "too many log-in attempts; try again later",
    );
    let secs = retry_after.as_secs().max(1);
    status.metadata_mut().insert(
        "retry-after",
        secs.to_string()
            .parse()
            .expect("a decimal number is valid metadata"),
    );
    status
}

#[cfg(test)]
mod tests {
    use sea_orm::error::ConnAcquireErr;

    use super::*;

    fn reason(status: &Status) -> Option<&str> {
        anb_grpc::reason_of(status)
    }

    #[test]
    fn client_errors_keep_their_code_reason_and_message() {
        let invalid = Status::from(Error::from(Violation {
            reason: "weak_password",
            message: "password1 is weak".to_owned(),
        }));
        let duplicate = Status::from(Error::DuplicateEmail);
        let credentials = Status::from(Error::InvalidCredentials);
        let expired = Status::from(Error::Token(TokenError::Expired));

        assert_eq!(
            (invalid.code(), reason(&invalid)),
            (Code::InvalidArgument, Some("weak_password"))
        );
        assert_eq!(invalid.message(), "password1 is weak");
        assert_eq!(
            (duplicate.code(), reason(&duplicate)),
            (Code::AlreadyExists, Some("duplicate_email"))
        );
        assert_eq!(credentials.code(), Code::Unauthenticated);
        assert_eq!(credentials.message(), "invalid email or password");
        assert_eq!(
            (expired.code(), reason(&expired)),
            (Code::Unauthenticated, Some("token_expired"))
        );
    }

    #[test]
    fn throttling_is_resource_exhausted_with_whole_seconds_to_wait() {
        let status = Status::from(Error::Throttled {
            retry_after: std::time::Duration::from_millis(899_400),
        });

        assert_eq!(
            (status.code(), reason(&status)),
            (Code::ResourceExhausted, Some("too_many_attempts"))
        );
        assert_eq!(
            status
                .metadata()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            Some("899")
        );
    }

    #[test]
    fn server_errors_hide_their_details() {
        let database = Status::from(Error::from(DbErr::Custom("secret detail".to_owned())));
        let pool = Status::from(Error::from(DbErr::ConnectionAcquire(
            ConnAcquireErr::Timeout,
        )));

        assert_eq!(database.code(), Code::Internal);
        assert_eq!(database.message(), "internal error");
        assert_eq!(pool.code(), Code::Unavailable);
        assert!(!pool.message().contains("pool"));
    }
}
