//! Every outgoing call carries the caller's trace context (W3C `traceparent`) in its
//! metadata, so the spans of the service it reaches join the same trace.

use opentelemetry::propagation::Injector;
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
