use std::path::PathBuf;

use anb_grpc::status_with_reason;
use anb_identity::TokenError;
use sea_orm::{DbErr, error::ConnAcquireErr};
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
        match err {
            DbErr::ConnectionAcquire(
                ConnAcquireErr::Timeout | ConnAcquireErr::ConnectionClosed,
            )
            | DbErr::Conn(_) => Self::DatabaseUnavailable(err),
            other => Self::Database(other),
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
            Error::Token(token) => {
                let reason = token.code();
                let status = Status::from(token);
                status_with_reason(status.code(), reason, status.message())
            }
            Error::UnknownUser => {
                status_with_reason(Code::Unauthenticated, "unknown_user", err.to_string())
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
