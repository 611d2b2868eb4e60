//! Issue 4's fault tests against the real binary: a worker killed mid-job and Redis
//! restarted with jobs queued; in both the videos end processed.

use std::time::Duration;

use anb_proto::videos::v1::record_transcode_result_request::Outcome;
use anb_storage::MediaKind;
use anb_testkit::OwnRedis;

use crate::{
    Harness,
    child::{JOB_LIMIT, WorkerProcess, partial_outputs},
    clip_bytes, eventually, expected_output_ms,
    fake_videos::Call,
};

/// Long enough that a debug-build worker is still encoding it seconds after it started.
const LONG_CLIP_SECONDS: u32 = 12;
const SHORT_CLIP_SECONDS: u32 = 1;

#[tokio::test]
async fn a_worker_killed_mid_job_leaves_the_video_processed_once_by_the_next_worker() {
    let mut harness = Harness::new(0).await;
    // A slower preset than the tests' usual one, so the kill lands inside the encode.
    harness.config.x264_preset = "veryfast".to_owned();
    harness.config.consumer_name = Some("doomed-worker".to_owned());
    let doomed = WorkerProcess::spawn(&harness.config);
    let job = harness
        .enqueue_original(&clip_bytes(1280, 720, LONG_CLIP_SECONDS))
        .await;

    let storage_root = harness.config.storage_root.clone();
    eventually(JOB_LIMIT, || async {
        let stats = harness.queue.stats().await.expect("stats");
        let encoding = partial_outputs(&storage_root).iter().any(|name| {
            let path = storage_root.join(MediaKind::Processed.folder()).join(name);
            std::fs::metadata(path).is_ok_and(|meta| meta.len() > 0)
        });
        (stats.pending == 1 && encoding).then_some(())
    })
    .await;
    let left_by_the_kill = partial_outputs(&storage_root);
    doomed.kill();
    harness.config.consumer_name = Some("next-worker".to_owned());
    let _next = WorkerProcess::spawn(&harness.config);
    let outcome = eventually(JOB_LIMIT, || async { harness.videos.outcomes().pop() }).await;
    let stats = eventually(Duration::from_secs(10), || async {
        Some(harness.queue.stats().await.expect("stats")).filter(|stats| stats.pending == 0)
    })
    .await;

    let Outcome::Succeeded(succeeded) = outcome else {
        panic!("expected success, got {outcome:?}")
    };
    let video_id = job.video_id.to_string();
    let marks = harness
        .videos
        .calls()
        .iter()
        .filter(|call| {
            **call
                == Call::MarkProcessing {
                    video_id: video_id.clone(),
                }
        })
        .count();
    assert_eq!(marks, 2, "each worker marked the video processing");
    assert_eq!(harness.videos.outcomes().len(), 1, "one result reported");
    assert_eq!(succeeded.duration_ms, expected_output_ms(LONG_CLIP_SECONDS));
    let output = anb_media::probe(&harness.path(MediaKind::Processed, &job)).expect("probes");
    assert_eq!((output.width, output.height), (1280, 720));
    assert_eq!(output.duration.as_millis() as i64, succeeded.duration_ms);
    assert!(!left_by_the_kill.is_empty());
    assert_eq!(partial_outputs(&storage_root), Vec::<String>::new());
    assert_eq!(
        (stats.stream_length, stats.pending, stats.dead_letters),
        (0, 0, 0)
    );
    harness.cleanup().await;
}

#[tokio::test]
async fn jobs_queued_before_a_redis_restart_are_all_processed_after_it() {
    let mut redis = OwnRedis::start();
    let harness = Harness::with_redis(redis.url(), 0).await;
    harness.queue.ensure_group().await.expect("group");
    let clip = clip_bytes(320, 180, SHORT_CLIP_SECONDS);
    let mut queued = Vec::new();
    for _ in 0..3 {
        queued.push(harness.enqueue_original(&clip).await.video_id.to_string());
    }

    redis.kill();
    redis.restart();
    let after_restart = eventually(Duration::from_secs(20), || async {
        harness.queue.stats().await.ok()
    })
    .await;
    assert_eq!(
        (after_restart.stream_length, after_restart.pending),
        (3, 0),
        "the queued jobs survived the restart"
    );
    let _worker = WorkerProcess::spawn(&harness.config);
    let mut processed = eventually(JOB_LIMIT, || async {
        let calls = harness.videos.calls();
        let processed: Vec<String> = calls
            .into_iter()
            .filter_map(|call| match call {
                Call::Record {
                    video_id,
                    outcome: Outcome::Succeeded(_),
                } => Some(video_id),
                _ => None,
            })
            .collect();
        (processed.len() == queued.len()).then_some(processed)
    })
    .await;
    let stats = eventually(Duration::from_secs(10), || async {
        Some(harness.queue.stats().await.expect("stats")).filter(|stats| stats.pending == 0)
    })
    .await;

    processed.sort();
    queued.sort();
    assert_eq!(processed, queued);
    assert_eq!(harness.videos.outcomes().len(), 3, "no failures reported");
    assert_eq!(
        (stats.stream_length, stats.pending, stats.dead_letters),
        (0, 0, 0)
    );
}
