//! Issue #7 through the running platform: Prometheus counters moving by exact amounts,
//! logs free of secrets, reflection and health on every gRPC server, and one OpenTelemetry
//! trace from upload to transcode.

mod log_secrets;
mod metrics;
mod otlp;
mod reflection;

use std::{collections::HashMap, path::Path};

/// The gRPC services `deploy/local/up` starts, by their name in its `endpoints` file.
pub const GRPC_SERVICES: [&str; 4] = ["auth", "videos", "votes", "transcoder"];

/// Every service with a metrics endpoint.
pub const ALL_SERVICES: [&str; 5] = ["gateway", "auth", "videos", "votes", "transcoder"];

/// The `<service>.<kind>=host:port` lines `deploy/local/up` writes to `<state>/endpoints`.
pub struct Endpoints(HashMap<String, String>);

impl Endpoints {
    pub fn read(state_dir: &Path) -> Self {
        let text = std::fs::read_to_string(state_dir.join("endpoints"))
            .expect("deploy/local/up records where every service listens");
        let entries = text
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(key, value)| (key.trim().to_owned(), value.trim().to_owned()))
            .collect();
        Self(entries)
    }

    /// `host:port` of `service`'s `kind` (`grpc`, `metrics`, `http`).
    pub fn address(&self, service: &str, kind: &str) -> String {
        let key = format!("{service}.{kind}");
        self.0
            .get(&key)
            .unwrap_or_else(|| panic!("no {key} in the endpoints file"))
            .clone()
    }
}
