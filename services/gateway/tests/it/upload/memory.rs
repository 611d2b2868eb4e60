//! A 100 MB upload through a real listener must not be held in memory.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use bytes::Bytes;
use reqwest::{
    Body,
    multipart::{Form, Part},
};
use tokio::net::TcpListener;

use crate::harness::Gateway;

const FILE_BYTES: u64 = 100 * 1024 * 1024;
const PIECE_BYTES: usize = 64 * 1024;
/// The budget the brief sets for RSS growth during a 100 MB upload.
const MAX_GROWTH_BYTES: u64 = 32 * 1024 * 1024;

fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs readable");
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .expect("VmRSS line");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("VmRSS value");
    kib * 1024
}

/// A file body of `len` bytes produced on the fly from one shared buffer.
fn generated_file(len: u64) -> Part {
    let piece = Bytes::from(vec![0x5a; PIECE_BYTES]);
    let pieces = len.div_ceil(PIECE_BYTES as u64);
    let stream = futures::stream::iter((0..pieces).map(move |index| {
        let remaining = len - index * PIECE_BYTES as u64;
        let size = remaining.min(PIECE_BYTES as u64) as usize;
        Ok::<_, std::io::Error>(piece.slice(..size))
    }));
    Part::stream_with_length(Body::wrap_stream(stream), len)
        .file_name("big.mp4")
        .mime_str("video/mp4")
        .expect("valid mime type")
}

async fn post(client: &reqwest::Client, url: &str, bearer: &str, len: u64) -> reqwest::StatusCode {
    let form = Form::new()
        .text("title", "Hundred megabytes")
        .part("video_file", generated_file(len));
    let response = client
        .post(url)
        .header("authorization", bearer)
        .multipart(form)
        .send()
        .await
        .expect("upload request completes");
    response.status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100_mb_upload_grows_resident_memory_by_at_most_32_mb() {
    let gateway = Gateway::start_full(FILE_BYTES, |_| {}).await;
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("loopback port");
    let url = format!(
        "http://{}/api/videos/upload",
        listener.local_addr().expect("bound")
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(anb_gateway::run(gateway.app(), listener, async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let bearer = gateway.bearer();
    // Warm up allocator pools and connections so the baseline is not the cold start.
    assert_eq!(
        post(&client, &url, &bearer, 1024 * 1024).await,
        reqwest::StatusCode::CREATED
    );

    let baseline = resident_bytes();
    let peak = Arc::new(AtomicU64::new(baseline));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = tokio::spawn({
        let (peak, done) = (peak.clone(), done.clone());
        async move {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(resident_bytes(), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    });
    let started = Instant::now();
    let status = tokio::time::timeout(
        Duration::from_secs(120),
        post(&client, &url, &bearer, FILE_BYTES),
    )
    .await
    .expect("a 100 MB upload finishes within 2 minutes");
    let elapsed = started.elapsed();
    done.store(true, Ordering::Relaxed);
    sampler.await.expect("sampler ends");

    assert_eq!(status, reqwest::StatusCode::CREATED);
    let uploads = gateway.uploads(2).await;
    assert_eq!(uploads[1].bytes, FILE_BYTES);
    let growth = peak.load(Ordering::Relaxed).saturating_sub(baseline);
    eprintln!(
        "100 MiB upload: {:.1} s, peak RSS growth {:.1} MiB (baseline {:.1} MiB)",
        elapsed.as_secs_f64(),
        growth as f64 / 1048576.0,
        baseline as f64 / 1048576.0
    );
    assert!(growth <= MAX_GROWTH_BYTES, "RSS grew by {growth} bytes");

    let _ = stop.send(());
    server
        .await
        .expect("server task")
        .expect("server stops cleanly");
}
