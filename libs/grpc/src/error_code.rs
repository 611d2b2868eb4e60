//! A stable, machine-readable reason travels beside the human message of a gRPC error in
//! the `anb-error-code` metadata entry, so the gateway can return `{"error", "code"}`
//! bodies without parsing message text.

use tonic::{Code, Status, metadata::MetadataValue};

/// Metadata key carrying the stable error code.
pub const ERROR_CODE_KEY: &str = "anb-error-code";

/// A status with `message` for people and `reason` (snake_case, stable) for programs.
pub fn status_with_reason(code: Code, reason: &'static str, message: impl Into<String>) -> Status {
    let mut status = Status::new(code, message);
    status
        .metadata_mut()
        .insert(ERROR_CODE_KEY, MetadataValue::from_static(reason));
    status
}

/// The stable reason of `status`, if the service set one.
pub fn reason_of(status: &Status) -> Option<&str> {
    status.metadata().get(ERROR_CODE_KEY)?.to_str().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_round_trips_through_status_metadata() {
        let status = status_with_reason(Code::AlreadyExists, "duplicate_email", "email taken");

        assert_eq!(status.code(), Code::AlreadyExists);
        assert_eq!(status.message(), "email taken");
        assert_eq!(reason_of(&status), Some("duplicate_email"));
        assert_eq!(reason_of(&Status::not_found("x")), None);
    }
}
