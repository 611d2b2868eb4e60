//! Every outgoing call carries the caller's trace context (W3C `traceparent`) in its
//! metadata, and every server continues it, so the spans of one request across the mesh
//! join the same trace. The ids come from `anb_telemetry::trace`.

use anb_telemetry::trace;
use http::HeaderMap;
use tonic::metadata::{MetadataMap, MetadataValue};
use tracing::Span;

const TRACEPARENT: &str = "traceparent";

/// Adds the current span's trace context to the metadata of an outgoing request. Adds
/// nothing when no layer gives spans ids.
pub fn inject_trace_context(metadata: &mut MetadataMap) {
    if let Some(ids) = trace::trace_parent(&Span::current())
        && let Ok(value) = MetadataValue::try_from(ids.to_string())
    {
        metadata.insert(TRACEPARENT, value);
    }
}

/// Makes `span` a child of the trace context in `headers` (gRPC metadata travels as HTTP/2
/// headers), if there is a valid one.
pub fn continue_trace(span: &Span, headers: &HeaderMap) {
    if let Some(value) = headers
        .get(TRACEPARENT)
        .and_then(|value| value.to_str().ok())
    {
        trace::continue_trace(span, value);
    }
}

/// The trace id of `span` in hex, when a layer gives spans trace ids.
pub fn trace_id(span: &Span) -> Option<String> {
    trace::trace_id(span)
}

#[cfg(test)]
mod tests {
    use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
    use opentelemetry_sdk::{propagation::TraceContextPropagator, trace::SdkTracerProvider};
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    use tracing_subscriber::layer::SubscriberExt as _;

    use super::*;

    #[test]
    fn the_current_trace_travels_as_traceparent() {
        opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
        let provider = SdkTracerProvider::builder().build();
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        let mut metadata = MetadataMap::new();

        let trace_id = tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("outgoing");
            let _entered = span.enter();
            inject_trace_context(&mut metadata);
            span.context().span().span_context().trace_id().to_string()
        });

        let traceparent = metadata
            .get("traceparent")
            .and_then(|value| value.to_str().ok())
            .expect("a traceparent entry");
        assert!(
            traceparent.starts_with(&format!("00-{trace_id}-")),
            "{traceparent}"
        );
    }

    #[test]
    fn without_an_exporter_the_trace_travels_and_is_continued_too() {
        let subscriber = tracing_subscriber::registry().with(trace::IdLayer);
        let mut metadata = MetadataMap::new();

        let (sent, continued) = tracing::subscriber::with_default(subscriber, || {
            let outgoing = tracing::info_span!("outgoing");
            outgoing.in_scope(|| inject_trace_context(&mut metadata));
            let incoming = tracing::info_span!("incoming");
            continue_trace(&incoming, &metadata.clone().into_headers());
            (trace_id(&outgoing), trace_id(&incoming))
        });

        let traceparent = metadata
            .get("traceparent")
            .and_then(|value| value.to_str().ok())
            .expect("a traceparent entry");
        let sent = sent.expect("a trace id");
        assert!(
            traceparent.starts_with(&format!("00-{sent}-")),
            "{traceparent}"
        );
        assert_eq!(continued, Some(sent));
    }
}
