//! The request families every server reports: counts, errors and latency per gRPC method
//! (served through `anb-grpc`) and per HTTP route template (the gateway).

use std::{sync::LazyLock, time::Duration};

use crate::{IntCounterVec, LATENCY_BUCKETS, counter_vec, histogram_vec};

static GRPC_REQUESTS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "anb_grpc_server_requests_total",
        "gRPC calls finished, by service, method and status code",
        &["service", "method", "code"],
    )
});

static GRPC_ERRORS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "anb_grpc_server_errors_total",
        "gRPC calls finished with a status other than OK",
        &["service", "method", "code"],
    )
});

static GRPC_DURATION: LazyLock<prometheus::HistogramVec> = LazyLock::new(|| {
    histogram_vec(
        "anb_grpc_server_duration_seconds",
        "Time from a gRPC call's arrival to its final status",
        &["service", "method"],
        LATENCY_BUCKETS,
    )
});

static HTTP_REQUESTS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "anb_http_requests_total",
        "HTTP requests answered, by method, route template and status",
        &["method", "route", "status"],
    )
});

static HTTP_ERRORS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "anb_http_errors_total",
        "HTTP requests answered with a 4xx or 5xx status",
        &["method", "route", "status"],
    )
});

static HTTP_DURATION: LazyLock<prometheus::HistogramVec> = LazyLock::new(|| {
    histogram_vec(
        "anb_http_request_duration_seconds",
        "Time from an HTTP request's arrival to its response headers",
        &["method", "route"],
        LATENCY_BUCKETS,
    )
});

/// Counts one finished gRPC call. `code` is the canonical upper-case name (`OK`,
/// `NOT_FOUND`, ...), so a dashboard can split client errors from faults.
pub fn grpc_finished(service: &str, method: &str, code: &str, latency: Duration) {
    GRPC_REQUESTS
        .with_label_values(&[service, method, code])
        .inc();
    if code != "OK" {
        GRPC_ERRORS
            .with_label_values(&[service, method, code])
            .inc();
    }
    GRPC_DURATION
        .with_label_values(&[service, method])
        .observe(latency.as_secs_f64());
}

/// Counts one answered HTTP request. `route` must be a route template (`/api/videos/{id}`)
/// or a fixed word, never the raw path: that would make one series per video id, and media
/// paths carry signatures.
pub fn http_finished(method: &str, route: &str, status: u16, latency: Duration) {
    let status_label = status.to_string();
    HTTP_REQUESTS
        .with_label_values(&[method, route, &status_label])
        .inc();
    if status >= 400 {
        HTTP_ERRORS
            .with_label_values(&[method, route, &status_label])
            .inc();
    }
    HTTP_DURATION
        .with_label_values(&[method, route])
        .observe(latency.as_secs_f64());
}
