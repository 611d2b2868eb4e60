//! Server-side failures become statuses that reveal nothing internal. The full cause chain
//! is logged once, here at the mapping point, because the client never sees it and the
//! callers up the stack only see the status.

use std::error::Error;

use tonic::{Code, Status};

use crate::status_with_reason;

/// `err` and every source under it, joined with `: `, for one log line.
pub fn error_chain(err: &dyn Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Logs `err` with its cause chain at error level and returns `Internal` with the fixed
/// message `internal error` and the reason `internal`.
pub fn internal_status(err: &dyn Error) -> Status {
    tracing::error!(error = %error_chain(err), "request failed");
    status_with_reason(Code::Internal, "internal", "internal error")
}

/// Logs `err` with its cause chain at error level and returns `Unavailable` with `reason`
/// and `message`, which must tell the client to retry without naming the dependency's
/// address or error.
pub fn unavailable_status(
    err: &dyn Error,
    reason: &'static str,
    message: impl Into<String>,
) -> Status {
    tracing::error!(error = %error_chain(err), "request failed");
    status_with_reason(Code::Unavailable, reason, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reason_of;

    #[derive(Debug, thiserror::Error)]
    enum Outer {
        #[error("loading video")]
        Load(#[source] Middle),
    }

    #[derive(Debug, thiserror::Error)]
    #[error("database unavailable")]
    struct Middle(#[source] std::io::Error);

    fn failure() -> Outer {
        Outer::Load(Middle(std::io::Error::other("refused by 10.0.0.7")))
    }

    #[test]
    fn the_chain_names_every_cause_in_order() {
        assert_eq!(
            error_chain(&failure()),
            "loading video: database unavailable: refused by 10.0.0.7"
        );
        assert_eq!(error_chain(&std::io::Error::other("alone")), "alone");
    }

    #[test]
    fn internal_failures_keep_their_details_from_the_client() {
        let status = internal_status(&failure());

        assert_eq!(status.code(), Code::Internal);
        assert_eq!(status.message(), "internal error");
        assert_eq!(reason_of(&status), Some("internal"));
    }

    #[test]
    fn outages_carry_only_the_given_reason_and_message() {
        let status = unavailable_status(&failure(), "unavailable", "try again shortly");

        assert_eq!(status.code(), Code::Unavailable);
        assert_eq!(status.message(), "try again shortly");
        assert_eq!(reason_of(&status), Some("unavailable"));
    }
}
