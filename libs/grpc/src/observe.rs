//! The server side of every call: continue the caller's trace from its `traceparent`
//! metadata, open the request span, and when the call ends (its status is known only from
//! the trailers of a streamed response) write one log line (at debug for a quick success)
//! and count it in the metrics.
//! Only the method, status and timing are recorded: never metadata, which carries the
//! caller's `authorization`.

use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::{Duration, Instant},
};

use http::{HeaderMap, Request, Response};
use http_body::{Body, Frame, SizeHint};
use tonic::Code;
use tower::{Layer, Service};
use tracing::{Instrument as _, Span, field::Empty};

use crate::trace_context::{continue_trace, trace_id};

/// Wraps a gRPC server so every call is traced, logged and counted.
#[derive(Debug, Clone, Copy, Default)]
pub struct ObserveLayer;

impl<S> Layer<S> for ObserveLayer {
    type Service = Observe<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Observe { inner }
    }
}

/// The service [`ObserveLayer`] makes.
#[derive(Debug, Clone)]
pub struct Observe<S> {
    inner: S,
}

impl<S, B, ResBody> Service<Request<B>> for Observe<S>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    ResBody: Body + Unpin,
{
    type Response = Response<ObservedBody<ResBody>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let mut call = Call::start(request.uri().path(), request.headers());
        let span = call.span.clone();
        let future = span.in_scope(|| self.inner.call(request)).instrument(span);

        Box::pin(async move {
            let response = future.await;
            match &response {
                // A call that fails before answering (or answers with headers only) has its
                // status in the response headers.
                Ok(response) => {
                    if let Some(code) = status_in(response.headers()) {
                        call.finish(code);
                    }
                }
                Err(_) => call.finish(Code::Unknown),
            }
            response.map(|response| {
                response.map(|inner| ObservedBody {
                    inner,
                    call: Some(call),
                })
            })
        })
    }
}

/// A response body that reports the call once its trailers (the status) have gone out.
#[derive(Debug)]
pub struct ObservedBody<B> {
    inner: B,
    call: Option<Call>,
}

impl<B: Body + Unpin> Body for ObservedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        let code = match &polled {
            Poll::Ready(Some(Ok(frame))) => frame.trailers_ref().map(status_in),
            Poll::Ready(Some(Err(_))) => Some(Some(Code::Internal)),
            // The stream ended without trailers: the status went out in the headers.
            Poll::Ready(None) => Some(None),
            Poll::Pending => None,
        };
        if let Some(code) = code
            && let Some(mut call) = self.call.take()
        {
            call.finish(code.unwrap_or(Code::Unknown));
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// One call in progress. Dropped unfinished, the client went away before the status was
/// sent, which is reported as CANCELLED.
#[derive(Debug)]
struct Call {
    span: Span,
    service: String,
    method: String,
    trace_id: Option<String>,
    started: Instant,
    finished: bool,
}

impl Call {
    fn start(path: &str, headers: &HeaderMap) -> Self {
        let (service, method) = split_path(path);
        let span = tracing::info_span!(
            "grpc_request",
            otel.name = %path.trim_start_matches('/'),
            otel.kind = "server",
            rpc.system = "grpc",
            rpc.service = %service,
            rpc.method = %method,
            rpc.grpc.status_code = Empty,
            trace_id = Empty,
        );
        continue_trace(&span, headers);
        let trace_id = trace_id(&span);
        if let Some(trace_id) = &trace_id {
            span.record("trace_id", trace_id.as_str());
        }
        Self {
            span,
            service: service.to_owned(),
            method: method.to_owned(),
            trace_id,
            started: Instant::now(),
            finished: false,
        }
    }

    fn finish(&mut self, code: Code) {
        if std::mem::replace(&mut self.finished, true) {
            return;
        }
        let latency = self.started.elapsed();
        let name = code_name(code);
        // A client can send any path; unknown ones share one series so they cannot grow
        // the metrics without bound.
        let (service, method) = if code == Code::Unimplemented {
            ("unknown", "unknown")
        } else {
            (self.service.as_str(), self.method.as_str())
        };
        anb_metrics::requests::grpc_finished(service, method, name, latency);

        let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        self.span.record("rpc.grpc.status_code", code as i32);
        let rpc = format_args!("{}/{}", self.service, self.method);
        let trace_id = self.trace_id.as_deref().unwrap_or("");
        // The gateway already writes a line for every request a user makes; a line per
        // internal call as well cost as much as the rest of a vote's work in this service
        // (docs/benchmarks.md). Calls that failed or were slow are still written at info.
        // Outside the span: the line carries every field itself.
        if code == Code::Ok && latency < SLOW_CALL {
            tracing::debug!(%rpc, code = name, latency_ms, trace_id, "rpc");
        } else {
            tracing::info!(%rpc, code = name, latency_ms, trace_id, "rpc");
        }
    }
}

/// Calls slower than this are logged at info even when they succeed.
const SLOW_CALL: Duration = Duration::from_millis(500);

impl Drop for Call {
    fn drop(&mut self) {
        self.finish(Code::Cancelled);
    }
}

/// `/anb.videos.v1.VideosService/GetVideo` → (`anb.videos.v1.VideosService`, `GetVideo`).
fn split_path(path: &str) -> (&str, &str) {
    let path = path.trim_start_matches('/');
    path.split_once('/').unwrap_or((path, ""))
}

fn status_in(headers: &HeaderMap) -> Option<Code> {
    let value = headers.get("grpc-status")?.to_str().ok()?;
    value.parse::<i32>().ok().map(Code::from_i32)
}

/// The canonical upper-case name of a status code, as gRPC's own tools print it.
pub(crate) fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_service_and_method() {
        assert_eq!(
            split_path("/anb.videos.v1.VideosService/GetVideo"),
            ("anb.videos.v1.VideosService", "GetVideo")
        );
        assert_eq!(split_path("/nonsense"), ("nonsense", ""));
    }

    #[test]
    fn status_comes_from_the_grpc_status_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(status_in(&headers), None);

        headers.insert("grpc-status", http::HeaderValue::from_static("5"));

        assert_eq!(status_in(&headers), Some(Code::NotFound));
        assert_eq!(code_name(Code::NotFound), "NOT_FOUND");
    }
}
