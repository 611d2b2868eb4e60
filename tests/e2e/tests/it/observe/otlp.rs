//! One trace from upload to transcode, as Jaeger would receive it. The test runs an
//! OTLP/gRPC trace receiver of its own (the published OpenTelemetry protobuf service) on
//! 127.0.0.1 and starts a second platform with `deploy/local/up` whose services export to
//! it. A platform of its own, rather than the shared one, because exporting is configured
//! at start-up and the receiver lives only as long as this test; its own state folder,
//! free ports and throw-away PostgreSQL and Redis keep it apart from the other tests.

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::{Arc, Mutex},
    time::Duration,
};

use opentelemetry_proto::tonic::{
    collector::trace::v1::{
        ExportTraceServiceRequest, ExportTraceServiceResponse,
        trace_service_server::{TraceService, TraceServiceServer},
    },
    common::v1::any_value::Value as AnyValue,
};
use reqwest::StatusCode;
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{Request, Response, Status};

use crate::support::{Platform, write_valid_clip};

/// Debug builds on two shared cores: generous, but a wedged job still fails the test.
const PROCESSING_LIMIT: Duration = Duration::from_secs(300);
/// Polls for the spans after processing; the services export every 100 ms.
const SPAN_POLLS: u32 = 120;

/// One received span: which service sent it and how it links into its trace.
#[derive(Debug, Clone)]
struct Received {
    service: String,
    name: String,
    trace_id: String,
    span_id: String,
    parent_span_id: String,
}

#[derive(Default, Clone)]
struct Receiver {
    spans: Arc<Mutex<Vec<Received>>>,
}

#[tonic::async_trait]
impl TraceService for Receiver {
    async fn export(
        &self,
        request: Request<ExportTraceServiceRequest>,
    ) -> Result<Response<ExportTraceServiceResponse>, Status> {
        let mut spans = self
            .spans
            .lock()
            .expect("no test thread panicked holding it");
        for resource_spans in request.into_inner().resource_spans {
            let service = resource_spans
                .resource
                .iter()
                .flat_map(|resource| &resource.attributes)
                .find(|attribute| attribute.key == "service.name")
                .and_then(|attribute| attribute.value.as_ref()?.value.as_ref())
                .map(|value| match value {
                    AnyValue::StringValue(name) => name.clone(),
                    other => format!("{other:?}"),
                })
                .unwrap_or_default();
            for span in resource_spans.scope_spans.into_iter().flat_map(|s| s.spans) {
                spans.push(Received {
                    service: service.clone(),
                    name: span.name,
                    trace_id: hex(&span.trace_id),
                    span_id: hex(&span.span_id),
                    parent_span_id: hex(&span.parent_span_id),
                });
            }
        }
        Ok(Response::new(ExportTraceServiceResponse::default()))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Stops the second platform, whatever the test's outcome.
struct TracedPlatform {
    root: PathBuf,
    state: PathBuf,
}

impl Drop for TracedPlatform {
    fn drop(&mut self) {
        let _ = Command::new(self.root.join("deploy/local/down"))
            .arg("--purge")
            .env("ANB_STATE_DIR", &self.state)
            .status();
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the e2e crate lives in the repository")
}

/// Starts a platform exporting spans to `endpoint` every 100 ms; returns its gateway URL.
fn start_traced_platform(endpoint: &str) -> (TracedPlatform, String) {
    let root = repo_root();
    let state = std::env::temp_dir().join(format!("anb-otlp-{}", std::process::id()));
    std::fs::create_dir_all(&state).expect("a state folder");
    // The throw-away PostgreSQL runs as the postgres user, who must be able to enter it.
    let open = <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o755);
    std::fs::set_permissions(&state, open).expect("the folder is ours");
    let guard = TracedPlatform {
        root: root.clone(),
        state: state.clone(),
    };

    let mut up = Command::new(root.join("deploy/local/up"));
    up.env("ANB_STATE_DIR", &state)
        .env("ANB_PORTS", "auto")
        .env("ANB_PROFILE", "debug")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        // The browser app plays no part in tracing; building it would only cost time.
        .env("ANB_WEB", "0");
    for service in ["GATEWAY", "AUTH", "VIDEOS", "VOTES", "TRANSCODER"] {
        up.env_remove(format!("ANB_{service}_PORT"))
            .env_remove(format!("ANB_{service}_METRICS_PORT"));
    }
    let output = up.output().expect("deploy/local/up runs");
    assert!(
        output.status.success(),
        "deploy/local/up failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let url = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    (guard, url)
}

#[tokio::test]
async fn an_upload_is_one_trace_across_gateway_videos_and_transcoder() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("address"));
    let receiver = Receiver::default();
    let spans = Arc::clone(&receiver.spans);
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(TraceServiceServer::new(receiver))
            .serve_with_incoming(TcpListenerStream::new(listener)),
    );
    let (guard, url) = tokio::task::spawn_blocking(move || start_traced_platform(&endpoint))
        .await
        .expect("start-up did not panic");
    let platform = Platform::at(url, guard.state.clone());

    let player = platform.sign_up_and_log_in().await.expect("a player");
    let folder = tempfile::tempdir().expect("temp dir");
    let clip = folder.path().join("traced.mp4");
    write_valid_clip(&clip);
    let form = reqwest::multipart::Form::new()
        .text("title", "Trazada")
        .part(
            "video_file",
            reqwest::multipart::Part::bytes(std::fs::read(&clip).expect("clip"))
                .file_name("clip.mp4")
                .mime_str("video/mp4")
                .expect("a valid type"),
        );
    let response = platform
        .http
        .post(platform.url("/api/videos/upload"))
        .bearer_auth(&player.token)
        .multipart(form)
        .send()
        .await
        .expect("upload answered");
    assert_eq!(response.status(), StatusCode::CREATED);
    let trace_id = response.headers()["x-trace-id"]
        .to_str()
        .expect("an ASCII trace id")
        .to_owned();
    assert_eq!(trace_id.len(), 32, "{trace_id}");
    let created: serde_json::Value = response.json().await.expect("JSON");
    let video_id = created["video_id"].as_str().expect("video_id");
    platform
        .wait_until_processed(&player.token, video_id, PROCESSING_LIMIT)
        .await
        .expect("processing finishes");

    let mut trace = Vec::new();
    for _ in 0..SPAN_POLLS {
        trace = spans
            .lock()
            .expect("no panic while holding it")
            .iter()
            .filter(|span| span.trace_id == trace_id)
            .cloned()
            .collect();
        let reported = trace.iter().any(|span| {
            span.service == "anb-videos" && span.name.ends_with("RecordTranscodeResult")
        });
        if reported {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    let ids_of = |service: &str| -> Vec<String> {
        trace
            .iter()
            .filter(|span| span.service == service)
            .map(|span| span.span_id.clone())
            .collect()
    };
    let (gateway, videos, transcoder) = (
        ids_of("anb-gateway"),
        ids_of("anb-videos"),
        ids_of("anb-transcoder"),
    );
    let find = |service: &str, name: &str| {
        trace
            .iter()
            .find(|span| span.service == service && span.name == name)
            .unwrap_or_else(|| panic!("no {name} span from {service} in {trace:#?}"))
    };

    let root = find("anb-gateway", "POST /api/videos/upload");
    assert_eq!(root.parent_span_id, "", "the gateway starts the trace");
    let upload = find("anb-videos", "anb.videos.v1.VideosService/Upload");
    assert!(
        gateway.contains(&upload.parent_span_id),
        "{upload:?} under the gateway"
    );
    let job = find("anb-transcoder", "transcode_job");
    assert!(
        videos.contains(&job.parent_span_id),
        "{job:?} under the upload in videos"
    );
    let result = find(
        "anb-videos",
        "anb.videos.v1.VideosService/RecordTranscodeResult",
    );
    assert!(
        transcoder.contains(&result.parent_span_id),
        "{result:?} under the job"
    );
    drop(guard);
}
