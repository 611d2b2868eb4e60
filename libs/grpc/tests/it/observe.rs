//! What the server layer records for each call: the caller's trace continued, and the call
//! counted by method and status.

use std::time::Duration;

use opentelemetry::trace::{SpanId, TraceId, TracerProvider as _};
use opentelemetry_sdk::{
    propagation::TraceContextPropagator,
    trace::{InMemorySpanExporter, SdkTracerProvider},
};
use tonic::{Code, metadata::MetadataValue};
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};
use tracing_subscriber::layer::SubscriberExt as _;

use crate::start;

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";

fn check_request() -> tonic::Request<HealthCheckRequest> {
    tonic::Request::new(HealthCheckRequest {
        service: String::new(),
    })
}

#[tokio::test]
async fn a_call_continues_the_callers_trace() {
    // nextest runs each test in its own process, so the global subscriber is this test's.
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
    let (channel, _stop) = start().await;
    let mut request = check_request();
    let traceparent = format!("00-{TRACE}-{CALLER_SPAN}-01");
    request.metadata_mut().insert(
        "traceparent",
        MetadataValue::try_from(traceparent).expect("ASCII"),
    );

    HealthClient::new(channel)
        .check(request)
        .await
        .expect("health answers");

    let mut server_span = None;
    for _ in 0..100 {
        let spans = exporter.get_finished_spans().expect("in memory");
        server_span = spans
            .into_iter()
            .find(|span| span.name == "grpc.health.v1.Health/Check");
        if server_span.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let span = server_span.expect("the call's span ends once the answer is sent");
    assert_eq!(
        span.span_context.trace_id(),
        TraceId::from_hex(TRACE).expect("hex")
    );
    assert_eq!(
        span.parent_span_id,
        SpanId::from_hex(CALLER_SPAN).expect("hex")
    );
}

#[tokio::test]
async fn calls_are_counted_by_method_and_status_code() {
    let (channel, _stop) = start().await;
    let mut health = HealthClient::new(channel);

    for _ in 0..2 {
        health.check(check_request()).await.expect("serving");
    }
    let unknown = health
        .check(tonic::Request::new(HealthCheckRequest {
            service: "no.such.Service".to_owned(),
        }))
        .await
        .expect_err("unknown services are not found");

    assert_eq!(unknown.code(), Code::NotFound);
    let mut text = String::new();
    for _ in 0..100 {
        text = anb_metrics::render();
        if text.contains("code=\"NOT_FOUND\"") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let ok = "anb_grpc_server_requests_total{code=\"OK\",method=\"Check\",service=\"grpc.health.v1.Health\"} 2\n";
    let not_found = "anb_grpc_server_errors_total{code=\"NOT_FOUND\",method=\"Check\",service=\"grpc.health.v1.Health\"} 1\n";
    assert!(text.contains(ok), "{text}");
    assert!(text.contains(not_found), "{text}");
}
