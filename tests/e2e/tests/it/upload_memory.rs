use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use anb_media::fixtures::{ClipSpec, append_free_box, write_clip};
use reqwest::StatusCode;

use crate::support::{Platform, resident_bytes};

const LIMIT_BYTES: u64 = 100 * 1024 * 1024;
const ALLOWED_GROWTH: u64 = 32 * 1024 * 1024;

#[tokio::test]
async fn a_100_mb_upload_is_streamed_without_growing_gateway_or_videos_memory_by_32_mb() {
    let platform = Platform::from_env();
    let player = platform.sign_up_and_log_in().await.expect("player");
    let folder = tempfile::tempdir().expect("temp dir");
    let clip = folder.path().join("big.mp4");
    write_clip(
        &clip,
        &ClipSpec {
            width: 1920,
            height: 1080,
            seconds: 21.0,
            fps: 30,
            with_audio: true,
        },
    )
    .expect("fixture clip");
    append_free_box(&clip, LIMIT_BYTES).expect("pad to 100 MB");
    assert_eq!(std::fs::metadata(&clip).expect("clip").len(), LIMIT_BYTES);
    let pids = [
        ("gateway", platform.pid_of("gateway")),
        ("videos", platform.pid_of("videos")),
    ];

    let baselines = pids.map(|(_, pid)| resident_bytes(pid));
    let peaks: Arc<[AtomicU64; 2]> = Arc::new(baselines.map(AtomicU64::new));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = tokio::spawn({
        let (peaks, done) = (peaks.clone(), done.clone());
        async move {
            while !done.load(Ordering::Relaxed) {
                for (index, (_, pid)) in pids.iter().enumerate() {
                    peaks[index].fetch_max(resident_bytes(*pid), Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    });
    let (status, body) = platform
        .upload(&player.token, &clip, "Cien megas")
        .await
        .expect("upload");
    done.store(true, Ordering::Relaxed);
    sampler.await.expect("sampler");

    assert_eq!(status, StatusCode::CREATED, "{body}");
    for (index, (service, _)) in pids.iter().enumerate() {
        let growth = peaks[index]
            .load(Ordering::Relaxed)
            .saturating_sub(baselines[index]);
        println!(
            "{service}: resident memory grew by {:.1} MiB during a 100 MiB upload",
            growth as f64 / 1048576.0
        );
        assert!(growth <= ALLOWED_GROWTH, "{service} grew by {growth} bytes");
    }
}

#[tokio::test]
async fn one_byte_over_100_mb_is_refused_with_413_and_nothing_is_kept() {
    let platform = Platform::from_env();
    let player = platform.sign_up_and_log_in().await.expect("player");
    let folder = tempfile::tempdir().expect("temp dir");
    let clip = folder.path().join("too-big.mp4");
    write_clip(
        &clip,
        &ClipSpec {
            width: 1920,
            height: 1080,
            seconds: 21.0,
            fps: 30,
            with_audio: false,
        },
    )
    .expect("fixture clip");
    append_free_box(&clip, LIMIT_BYTES + 1).expect("pad past 100 MB");

    let (status, body) = platform
        .upload(&player.token, &clip, "Demasiado")
        .await
        .expect("upload");

    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["code"], "file_too_large");
    let (_, mine) = platform
        .get_json(Some(&player.token), "/api/videos")
        .await
        .expect("list");
    assert_eq!(mine, serde_json::json!([]));
}
