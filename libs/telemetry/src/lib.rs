//! Process-wide telemetry for every ANB service: `tracing` logs (plain or JSON, filtered by
//! `RUST_LOG`), OpenTelemetry span export over OTLP/gRPC when `OTEL_EXPORTER_OTLP_ENDPOINT`
//! is set, and the signal that starts a graceful shutdown.
#![warn(missing_docs)]

use std::env;

use opentelemetry::{KeyValue, trace::TracerProvider as _};
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::{Resource, propagation::TraceContextPropagator, trace::SdkTracerProvider};
use tracing_subscriber::{EnvFilter, Layer, layer::SubscriberExt, util::SubscriberInitExt};

/// Keeps the span exporter alive; call [`TelemetryGuard::shutdown`] before the process exits
/// so buffered spans are flushed.
#[must_use = "dropping the guard without shutdown loses buffered spans"]
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
}

impl TelemetryGuard {
    /// Flushes and stops the span exporter.
    pub async fn shutdown(self) {
        let Some(provider) = self.provider else {
            return;
        };
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
/// filter `info,<crate>=debug`.
///
/// # Errors
/// When the OTLP exporter cannot be built from the configured endpoint, or a global
/// subscriber is already installed.
pub fn init(service_name: &'static str) -> anyhow::Result<TelemetryGuard> {
    let crate_target = service_name.replace('-', "_");
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("info,{crate_target}=debug")));
    let json = env::var("LOG_FORMAT").is_ok_and(|value| value.eq_ignore_ascii_case("json"));
    let fmt_layer = if json {
        tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .boxed()
    } else {
        tracing_subscriber::fmt::layer().boxed()
    };

    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let provider = match env::var("OTEL_EXPORTER_OTLP_ENDPOINT") {
        Ok(endpoint) if !endpoint.trim().is_empty() => {
            Some(otlp_provider(service_name, &endpoint)?)
        }
        _ => None,
    };
    let otel_layer = provider
        .as_ref()
        .map(|provider| tracing_opentelemetry::layer().with_tracer(provider.tracer(service_name)));

    tracing_subscriber::registry()
        .with(filter)
        .with(fmt_layer)
        .with(otel_layer)
        .try_init()?;

    Ok(TelemetryGuard { provider })
}

fn otlp_provider(service_name: &'static str, endpoint: &str) -> anyhow::Result<SdkTracerProvider> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint)
        .build()?;
    let resource = Resource::builder()
        .with_service_name(service_name)
        .with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
        .build();

    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build())
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
