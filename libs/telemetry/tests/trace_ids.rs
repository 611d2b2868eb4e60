//! Log lines and the gateway's trace id header need trace ids even when no OTLP endpoint is
//! configured.

#[tokio::test]
async fn spans_have_trace_ids_without_an_exporter() {
    let guard = anb_telemetry::init("anb-telemetry-test").expect("the only subscriber");

    let span = tracing::info_span!("http_request", trace_id = tracing::field::Empty);
    let child = span.in_scope(|| tracing::info_span!("handler"));
    let trace_id = anb_telemetry::trace::trace_id(&span).expect("a trace id");

    assert_eq!(trace_id.len(), 32);
    assert_eq!(anb_telemetry::trace::trace_id(&child), Some(trace_id));
    guard.shutdown().await;
}
