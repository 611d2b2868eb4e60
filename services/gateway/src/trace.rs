//! The gateway starts (or continues, when the client sends `traceparent`) the trace of every
//! request and hands its context to each service it calls, so one trace spans the mesh.

use axum::http::HeaderMap;
use opentelemetry::{propagation::Extractor, trace::TraceContextExt as _};
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// Makes `span` a child of the trace context in the request headers, if there is one.
pub(crate) fn continue_trace(span: &Span, headers: &HeaderMap) {
    let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&HeaderExtractor(headers))
    });
    // Fails only when no OpenTelemetry layer is installed, and then there is nothing to join.
    let _ = span.set_parent(parent);
}

/// The trace id of `span`, when spans are exported (an OpenTelemetry layer is installed).
pub(crate) fn trace_id(span: &Span) -> Option<String> {
    let context = span.context();
    let span_context = context.span().span_context().clone();
    span_context
        .is_valid()
        .then(|| span_context.trace_id().to_string())
}

struct HeaderExtractor<'a>(&'a HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key)?.to_str().ok()
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|name| name.as_str()).collect()
    }
}
