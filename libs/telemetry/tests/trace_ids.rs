//! Log lines and the gateway's trace id header need trace ids even when no OTLP endpoint is
//! configured.

use opentelemetry::trace::TraceContextExt as _;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

#[tokio::test]
async fn spans_have_trace_ids_without_an_exporter() {
    let guard = anb_telemetry::init("anb-telemetry-test").expect("the only subscriber");

    let span = tracing::info_span!(
        "http_request",
        otel.name = %format_args!("{} {}", "GET", "/health"),
        otel.kind = "server",
        trace_id = tracing::field::Empty,
    );
    let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&std::collections::HashMap::<String, String>::new())
    });
    let _ = span.set_parent(parent);
    let context = span.context();
    let span_context = context.span().span_context().clone();

    assert!(span_context.is_valid(), "{span_context:?}");
    guard.shutdown().await;
}
