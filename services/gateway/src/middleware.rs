//! Cross-cutting request handling: the access log line and request metrics, deadlines, and
//! the guarantee that every error leaves as JSON.

use std::time::{Duration, Instant};

use anb_grpc::{continue_trace, trace_id};
use axum::{
    body::Body,
    extract::{MatchedPath, Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tracing::{Instrument as _, field::Empty};

use crate::error::GatewayError;

/// The response header that tells a client (or whoever reports its bug) which trace to
/// look up in Jaeger.
pub(crate) const TRACE_ID_HEADER: &str = "x-trace-id";

/// Starts (or continues, when the client sends `traceparent`) the request's trace, logs one
/// line per request (method, route template, status, latency, trace id), counts it in the
/// metrics and returns the trace id in [`TRACE_ID_HEADER`]. The raw URI is never logged nor
/// used as a label, since media query strings carry signatures.
pub(crate) async fn access_log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let span = tracing::info_span!(
        "http_request",
        otel.name = %format_args!("{method} {route}"),
        otel.kind = "server",
        http.method = %method,
        http.route = %route,
        user_id = Empty,
        trace_id = Empty,
    );
    continue_trace(&span, request.headers());
    let trace_id = trace_id(&span);
    if let Some(trace_id) = &trace_id {
        span.record("trace_id", trace_id.as_str());
    }

    let mut response = next.run(request).instrument(span.clone()).await;

    let latency = started.elapsed();
    let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
    let status = response.status().as_u16();
    anb_metrics::requests::http_finished(method.as_str(), &route, status, latency);
    let trace_id = trace_id.unwrap_or_default();
    // Outside the span: the line carries every field itself, and formatting the span's
    // fields again on each line cost as much as the rest of the line.
    tracing::info!(%method, %route, status, latency_ms, %trace_id, "request");
    if let Ok(value) = HeaderValue::from_str(&trace_id)
        && !trace_id.is_empty()
    {
        response.headers_mut().insert(TRACE_ID_HEADER, value);
    }
    response
}

/// A time limit, and what its expiry means for the client.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    limit: Duration,
    status: StatusCode,
    code: &'static str,
    message: &'static str,
}

impl Deadline {
    /// An ordinary request: running out of time means a service is slow.
    pub(crate) fn request(limit: Duration) -> Self {
        Self {
            limit,
            status: StatusCode::GATEWAY_TIMEOUT,
            code: "timeout",
            message: "the request took too long",
        }
    }

    /// An upload: running out of time means the client sends too slowly.
    pub(crate) fn upload(limit: Duration) -> Self {
        Self {
            limit,
            status: StatusCode::REQUEST_TIMEOUT,
            code: "upload_timeout",
            message: "the upload took too long",
        }
    }
}

/// Answers with the deadline's error when the handler has not produced a response in time.
/// Dropping the handler cancels its gRPC calls.
pub(crate) async fn enforce_deadline(
    State(deadline): State<Deadline>,
    request: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(deadline.limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => GatewayError::Timeout {
            status: deadline.status,
            code: deadline.code,
            message: deadline.message,
        }
        .into_response(),
    }
}

/// Rewrites error responses that are not JSON (from axum or tower-http internals, such as
/// an unsatisfiable range) into the `{"error", "code"}` shape, keeping their status and
/// other headers.
pub(crate) async fn json_errors(mut response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }

    let reason = status.canonical_reason().unwrap_or("error").to_lowercase();
    let code = reason.replace([' ', '-'], "_");
    let body = serde_json::json!({ "error": reason, "code": code }).to_string();
    let headers = response.headers_mut();
    headers.remove(header::CONTENT_LENGTH);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    *response.body_mut() = Body::from(body);
    response
}
