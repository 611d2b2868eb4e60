use anb_identity::TokenError;
use anb_storage::SignatureError;
use axum::{
    Json,
    extract::{
        multipart::{MultipartError, MultipartRejection},
        rejection::JsonRejection,
    },
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use tonic::Code;

/// Result of a request handler.
pub type Result<T, E = GatewayError> = std::result::Result<T, E>;

/// Why the gateway cannot start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A setting that cannot work.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// An upstream address tonic refuses.
    #[error(transparent)]
    Address(#[from] anb_grpc::InvalidAddress),
}

/// Why a request failed. [`IntoResponse`] is the one place that turns it into a status and
/// an `{"error", "code"}` body.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// A service answered with an error status.
    #[error("upstream answered {:?}: {}", .0.code(), .0.message())]
    Upstream(#[from] tonic::Status),
    /// The bearer token was refused.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The request is malformed in a way the gateway itself sees.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// The body is larger than the route accepts.
    #[error("{message}")]
    TooLarge { code: &'static str, message: String },
    /// The body is not in a format the route reads.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// No such route, video or media file.
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    /// The route exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// A media link with a wrong, missing or expired signature.
    #[error(transparent)]
    MediaLink(#[from] SignatureError),
    /// The request ran out of time; `status` tells whose fault that is.
    #[error("{message}")]
    Timeout {
        status: StatusCode,
        code: &'static str,
        message: &'static str,
    },
    /// A fault of the gateway itself.
    #[error("{0}")]
    Internal(String),
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    code: &'a str,
}

impl GatewayError {
    /// A 400 with a stable `code`.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// A 404 with a stable `code`.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::NotFound {
            code,
            message: message.into(),
        }
    }

    /// The service's `retry-after` metadata (whole seconds), for the `Retry-After` header.
    fn retry_after(&self) -> Option<HeaderValue> {
        let Self::Upstream(status) = self else {
            return None;
        };
        let seconds = status.metadata().get("retry-after")?.to_str().ok()?;
        let seconds: u64 = seconds.trim().parse().ok()?;
        Some(HeaderValue::from(seconds))
    }

    /// Status, stable code and the message a client may read.
    fn classify(&self) -> (StatusCode, &str, String) {
        match self {
            Self::Upstream(status) => classify_status(status),
            Self::Token(TokenError::KeysUnavailable) => (
                StatusCode::SERVICE_UNAVAILABLE,
                TokenError::KeysUnavailable.code(),
                "authentication temporarily unavailable".to_owned(),
            ),
            Self::Token(err) => (StatusCode::UNAUTHORIZED, err.code(), err.to_string()),
            Self::BadRequest { code, message } => (StatusCode::BAD_REQUEST, code, message.clone()),
            Self::TooLarge { code, message } => {
                (StatusCode::PAYLOAD_TOO_LARGE, code, message.clone())
            }
            Self::UnsupportedMediaType(message) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                message.clone(),
            ),
            Self::NotFound { code, message } => (StatusCode::NOT_FOUND, code, message.clone()),
            Self::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                self.to_string(),
            ),
            Self::MediaLink(err) => {
                let code = match err {
                    SignatureError::Expired => "media_link_expired",
                    SignatureError::Invalid => "invalid_signature",
                };
                (StatusCode::FORBIDDEN, code, err.to_string())
            }
            Self::Timeout {
                status,
                code,
                message,
            } => (*status, code, (*message).to_owned()),
            Self::Internal(_) => internal(),
        }
    }
}

/// The HTTP side of a gRPC status: the service's reason when it gave one, else a default
/// per code. Only client errors carry the service's message; outages and bugs get a fixed
/// one so transport details never reach the client.
fn classify_status(status: &tonic::Status) -> (StatusCode, &str, String) {
    let (http, default_code) = match status.code() {
        // DESIGN §3 reports duplicates (email taken, second vote) as plain 400s.
        Code::InvalidArgument | Code::FailedPrecondition | Code::AlreadyExists => {
            (StatusCode::BAD_REQUEST, default_reason(status.code()))
        }
        Code::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
        Code::PermissionDenied => (StatusCode::FORBIDDEN, "permission_denied"),
        Code::NotFound => (StatusCode::NOT_FOUND, "not_found"),
        Code::OutOfRange => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
        Code::ResourceExhausted => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        Code::Unavailable => {
            let message = "service temporarily unavailable".to_owned();
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                reason_or(status, "unavailable"),
                message,
            );
        }
        // The client, not a service, was too slow: videos stopped waiting for its bytes.
        Code::DeadlineExceeded if anb_grpc::reason_of(status) == Some("upload_stalled") => {
            return (
                StatusCode::REQUEST_TIMEOUT,
                "upload_timeout",
                status.message().to_owned(),
            );
        }
        Code::DeadlineExceeded => {
            let message = "service did not answer in time".to_owned();
            return (StatusCode::GATEWAY_TIMEOUT, "deadline_exceeded", message);
        }
        _ => return internal(),
    };
    (
        http,
        reason_or(status, default_code),
        status.message().to_owned(),
    )
}

fn default_reason(code: Code) -> &'static str {
    match code {
        Code::FailedPrecondition => "failed_precondition",
        Code::AlreadyExists => "already_exists",
        _ => "invalid_argument",
    }
}

fn reason_or<'a>(status: &'a tonic::Status, default: &'a str) -> &'a str {
    anb_grpc::reason_of(status).unwrap_or(default)
}

fn internal() -> (StatusCode, &'static str, String) {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "internal error".to_owned(),
    )
}

impl IntoResponse for GatewayError {
    fn into_response(self) -> Response {
        let (status, code, message) = self.classify();
        if status.is_server_error() {
            // With the causes: "transport error" alone does not say what broke.
            let error = anb_grpc::error_chain(&self);
            tracing::error!(%error, status = status.as_u16(), "request failed");
        } else {
            tracing::debug!(error = %self, status = status.as_u16(), "request refused");
        }

        let mut response = (
            status,
            Json(ErrorBody {
                error: &message,
                code,
            }),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.retry_after() {
            response.headers_mut().insert(header::RETRY_AFTER, seconds);
        }
        response
    }
}

impl From<JsonRejection> for GatewayError {
    fn from(rejection: JsonRejection) -> Self {
        let message = rejection.body_text();
        match rejection {
            JsonRejection::JsonSyntaxError(_) => Self::bad_request("invalid_json", message),
            JsonRejection::MissingJsonContentType(_) => Self::UnsupportedMediaType(message),
            _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Self::TooLarge {
                code: "body_too_large",
                message: "request body too large".to_owned(),
            },
            _ => Self::bad_request("invalid_body", message),
        }
    }
}

impl From<MultipartRejection> for GatewayError {
    fn from(rejection: MultipartRejection) -> Self {
        Self::bad_request(
            "invalid_multipart",
            format!("malformed multipart body: {}", rejection.body_text()),
        )
    }
}

impl From<MultipartError> for GatewayError {
    fn from(err: MultipartError) -> Self {
        if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Self::TooLarge {
                code: "file_too_large",
                message: "the upload is larger than the accepted size".to_owned(),
            };
        }
        // axum answers 500 when the client's connection breaks mid-body; that is the
        // client's doing, not an outage.
        Self::bad_request(
            "invalid_multipart",
            format!("malformed multipart body: {}", err.body_text()),
        )
    }
}

#[cfg(test)]
mod tests {
    use anb_grpc::status_with_reason;
    use tonic::Status;

    use super::*;

    fn classify(status: Status) -> (StatusCode, String, String) {
        let err = GatewayError::Upstream(status);
        let (http, code, message) = err.classify();
        (http, code.to_owned(), message)
    }

    #[test]
    fn service_reasons_and_client_messages_pass_through() {
        let status = status_with_reason(Code::AlreadyExists, "duplicate_email", "email taken");

        assert_eq!(
            classify(status),
            (
                StatusCode::BAD_REQUEST,
                "duplicate_email".to_owned(),
                "email taken".to_owned()
            )
        );
    }

    #[test]
    fn outages_and_bugs_hide_the_service_message() {
        let refused = classify(Status::unavailable("tcp connect error: 127.0.0.1:50052"));
        let bug = classify(Status::data_loss("row 17 corrupt"));

        assert_eq!(refused.0, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(refused.2, "service temporarily unavailable");
        assert_eq!(
            bug,
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal".to_owned(),
                "internal error".to_owned()
            )
        );
    }

    #[test]
    fn missing_keys_are_an_outage_and_other_token_errors_are_401() {
        let keys = GatewayError::Token(TokenError::KeysUnavailable);
        let expired = GatewayError::Token(TokenError::Expired);
        let (keys, _, _) = keys.classify();
        let (expired, code, _) = expired.classify();

        assert_eq!(keys, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!((expired, code), (StatusCode::UNAUTHORIZED, "token_expired"));
    }
}
