//! Every outgoing call carries the caller's trace context (W3C `traceparent`) in its
//! metadata, and every server continues it, so the spans of one request across the mesh
//! join the same trace.

use http::HeaderMap;
use opentelemetry::{
    propagation::{Extractor, Injector},
    trace::TraceContextExt as _,
};
use tonic::metadata::{MetadataKey, MetadataMap, MetadataValue};
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// Adds the current span's trace context to the metadata of an outgoing request. Adds
/// nothing when spans are not exported (no OpenTelemetry layer or propagator installed).
pub fn inject_trace_context(metadata: &mut MetadataMap) {
    let context = Span::current().context();
    opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.inject_context(&context, &mut MetadataInjector(metadata));
    });
}

/// Makes `span` a child of the trace context in `headers` (gRPC metadata travels as HTTP/2
/// headers), if there is one.
pub fn continue_trace(span: &Span, headers: &HeaderMap) {
    let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&HeaderExtractor(headers))
    });
    // Fails only when no OpenTelemetry layer is installed, and then there is nothing to join.
    let _ = span.set_parent(parent);
}

/// The trace id of `span` in hex, when an OpenTelemetry layer gives spans trace ids.
pub fn trace_id(span: &Span) -> Option<String> {
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

struct MetadataInjector<'a>(&'a mut MetadataMap);

impl Injector for MetadataInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        // Propagators emit ASCII keys and values; anything else would be refused by the peer.
        let key = MetadataKey::from_bytes(key.as_bytes());
        if let (Ok(key), Ok(value)) = (key, MetadataValue::try_from(value)) {
            self.0.insert(key, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
    use opentelemetry_sdk::{propagation::TraceContextPropagator, trace::SdkTracerProvider};
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
}
