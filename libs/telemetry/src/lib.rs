//! Process-wide telemetry for every ANB service: `tracing` logs (plain or JSON, filtered by
//! `RUST_LOG`), OpenTelemetry span export over OTLP/gRPC when `OTEL_EXPORTER_OTLP_ENDPOINT`
//! is set, and the signal that starts a graceful shutdown.
#![warn(missing_docs)]

mod log_sink;
pub mod trace;

use std::{env, io::IsTerminal as _};

use opentelemetry::{KeyValue, trace::TracerProvider as _};
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::{Resource, propagation::TraceContextPropagator, trace::SdkTracerProvider};
use tracing_subscriber::{EnvFilter, Layer, layer::SubscriberExt, util::SubscriberInitExt};

/// Keeps the span exporter alive; call [`TelemetryGuard::shutdown`] before the process exits
/// so buffered spans are flushed.
#[must_use = "dropping the guard without shutdown loses buffered spans"]
pub struct TelemetryGuard {
    provider: SdkTracerProvider,
    /// Writes the last log lines out when dropped.
    _logs: log_sink::LogFlusher,
}

impl TelemetryGuard {
    /// Flushes and stops the span exporter.
    pub async fn shutdown(self) {
        let provider = self.provider;
        // The batch exporter's shutdown blocks the calling thread until the flush is done.
        let flushed = tokio::task::spawn_blocking(move || provider.shutdown()).await;
        match flushed {
            Ok(Ok(())) => {}
            Ok(Err(err)) => tracing::warn!(error = %err, "span exporter shutdown failed"),
            Err(err) => tracing::warn!(error = %err, "span exporter shutdown panicked"),
        }
    }
}

/// Installs the global subscriber for `service_name` (for example `"anb-videos"`).
///
/// `LOG_FORMAT=json` switches the log lines to JSON; `RUST_LOG` overrides the default
/// filter `info` (`RUST_LOG=info,anb_votes=debug` adds one service's debug lines).
///
/// # Errors
/// When the OTLP exporter cannot be built from the configured endpoint, or a global
/// subscriber is already installed.
pub fn init(service_name: &'static str) -> anyhow::Result<TelemetryGuard> {
    // Debug lines are per request on the busiest paths (a vote writes two): opt-in only.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = env::var("LOG_FORMAT").is_ok_and(|value| value.eq_ignore_ascii_case("json"));
    let (writer, logs) = log_sink::stdout_sink()?;
    let fmt_layer = if json {
        tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_writer(writer)
            .boxed()
    } else {
        tracing_subscriber::fmt::layer()
            .with_ansi(std::io::stdout().is_terminal())
            .with_writer(writer)
            .boxed()
    };

    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let endpoint = env::var("OTEL_EXPORTER_OTLP_ENDPOINT")
        .ok()
        .filter(|endpoint| !endpoint.trim().is_empty());
    let provider = tracer_provider(service_name, endpoint.as_deref())?;
    // Spans get trace ids even when nothing exports them, so log lines, the gateway's trace
    // id header and the traceparent passed between services always correlate; without an
    // exporter a small layer of our own gives the ids (see `trace`).
    let trace_layer = if endpoint.is_some() {
        // Per-span timing and thread attributes cost a clock read on every poll of every
        // instrumented future; the span's own start and end are enough.
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer(service_name))
            .with_tracked_inactivity(false)
            .with_threads(false)
            .boxed()
    } else {
        trace::IdLayer.boxed()
    };

    tracing_subscriber::registry()
        .with(filter)
        .with(fmt_layer)
        .with(trace_layer)
        .try_init()?;

    // The endpoint itself is not logged: collector URLs may carry credentials.
    tracing::info!(otlp_export = endpoint.is_some(), "telemetry started");
    Ok(TelemetryGuard {
        provider,
        _logs: logs,
    })
}

/// A tracer provider that exports over OTLP/gRPC to `endpoint`, or keeps spans to itself
/// when there is none. The batch exporter follows the standard `OTEL_BSP_*` variables
/// (`OTEL_BSP_SCHEDULE_DELAY` in milliseconds sets how often spans leave).
fn tracer_provider(
    service_name: &'static str,
    endpoint: Option<&str>,
) -> anyhow::Result<SdkTracerProvider> {
    let resource = Resource::builder()
        .with_service_name(service_name)
        .with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
        .build();
    let builder = SdkTracerProvider::builder().with_resource(resource);
    let Some(endpoint) = endpoint else {
        return Ok(builder.build());
    };

    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint)
        .build()?;
    Ok(builder.with_batch_exporter(exporter).build())
}

/// Resolves on ctrl-c or SIGTERM (what systemd and `deploy/local/down` send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %err, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };

    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received");
}
