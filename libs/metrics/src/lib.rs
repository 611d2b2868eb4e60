//! Prometheus metrics for every ANB service. Each process keeps its metrics in the default
//! registry and serves them in the text format on a port of their own ([`start`]), apart
//! from the API, so scraping never competes with client traffic and is never exposed on the
//! public port. The request families that every server shares live in [`requests`].
#![warn(missing_docs)]

mod exporter;
pub mod requests;

pub use exporter::{Refresh, render, start};
pub use prometheus::{Histogram, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec};

use prometheus::{HistogramOpts, Opts};

/// Latency buckets in seconds, from a cached read to a slow upload.
pub const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// Registers a counter with labels `labels` in the process registry.
///
/// # Panics
/// When a metric of the same name is registered twice: metrics are process-wide statics,
/// so that is a programming error found by the first test that touches them.
pub fn counter_vec(name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let counter = IntCounterVec::new(Opts::new(name, help), labels)
        .expect("metric names and labels are valid constants");
    register(Box::new(counter.clone()));
    counter
}

/// Registers a counter without labels in the process registry.
///
/// # Panics
/// As [`counter_vec`].
pub fn counter(name: &str, help: &str) -> IntCounter {
    let counter = IntCounter::new(name, help).expect("metric names are valid constants");
    register(Box::new(counter.clone()));
    counter
}

/// Registers a histogram with labels `labels` and bucket bounds `buckets` (seconds).
///
/// # Panics
/// As [`counter_vec`].
pub fn histogram_vec(name: &str, help: &str, labels: &[&str], buckets: &[f64]) -> HistogramVec {
    let opts = HistogramOpts::new(name, help).buckets(buckets.to_vec());
    let histogram =
        HistogramVec::new(opts, labels).expect("metric names and labels are valid constants");
    register(Box::new(histogram.clone()));
    histogram
}

/// Registers a histogram without labels, with bucket bounds `buckets` (seconds).
///
/// # Panics
/// As [`counter_vec`].
pub fn histogram(name: &str, help: &str, buckets: &[f64]) -> Histogram {
    let opts = HistogramOpts::new(name, help).buckets(buckets.to_vec());
    let histogram = Histogram::with_opts(opts).expect("metric names are valid constants");
    register(Box::new(histogram.clone()));
    histogram
}

/// Registers a gauge with labels `labels` in the process registry.
///
/// # Panics
/// As [`counter_vec`].
pub fn gauge_vec(name: &str, help: &str, labels: &[&str]) -> IntGaugeVec {
    let gauge = IntGaugeVec::new(Opts::new(name, help), labels)
        .expect("metric names and labels are valid constants");
    register(Box::new(gauge.clone()));
    gauge
}

fn register(collector: Box<dyn prometheus::core::Collector>) {
    prometheus::default_registry()
        .register(collector)
        .expect("each metric is registered once, from a process-wide static");
}

/// Seconds since `started`, as a histogram observes them.
pub fn seconds_since(started: std::time::Instant) -> f64 {
    started.elapsed().as_secs_f64()
}
