use std::time::{Duration, Instant};

use anb_proto::videos::v1::record_transcode_result_request::Outcome;
use fred::prelude::StreamsInterface;

use crate::{Harness, eventually, fake_videos::Call};

const LIMIT: Duration = Duration::from_secs(30);

#[tokio::test]
async fn the_result_is_retried_while_videos_is_unavailable_and_the_job_stays_pending() {
    let mut harness = Harness::new(2).await;
    harness.config.max_attempts = 1;
    harness.config.retry_base_ms = 600;
    harness.config.retry_max_ms = 1_200;
    let running = harness.start().await;

    harness.enqueue_original(b"garbage").await;
    eventually(LIMIT, || async {
        harness
            .videos
            .calls()
            .contains(&Call::RecordRefused)
            .then_some(())
    })
    .await;
    let while_refused = harness.queue.stats().await.expect("stats");
    let outcome = eventually(LIMIT, || async { harness.videos.outcomes().pop() }).await;
    let after = eventually(LIMIT, || async {
        Some(harness.queue.stats().await.expect("stats")).filter(|stats| stats.pending == 0)
    })
    .await;

    let refusals = harness
        .videos
        .calls()
        .iter()
        .filter(|call| **call == Call::RecordRefused)
        .count();
    assert_eq!((while_refused.pending, while_refused.stream_length), (1, 1));
    assert!(matches!(outcome, Outcome::Failed(_)));
    assert_eq!(refusals, 2);
    assert_eq!((after.stream_length, after.dead_letters), (0, 1));
    running.stop().await.expect("clean shutdown");
    harness.cleanup().await;
}

#[tokio::test]
async fn a_job_held_by_a_dead_worker_is_reclaimed_after_the_idle_limit() {
    let harness = Harness::new(0).await;
    harness.queue.ensure_group().await.expect("group");
    let job = harness.enqueue_original(b"garbage").await;
    let held = harness
        .queue
        .read_new("crashed-worker", Duration::from_millis(50))
        .await
        .expect("read")
        .expect("the job");
    let running = harness.start().await;

    let outcome = eventually(LIMIT, || async { harness.videos.outcomes().pop() }).await;
    let dead = eventually(LIMIT, || async {
        Some(harness.queue.dead_letters(10).await.expect("dead letters"))
            .filter(|dead| !dead.is_empty())
    })
    .await;

    assert_eq!(held.job, job);
    assert!(matches!(outcome, Outcome::Failed(_)));
    assert_eq!(dead[0].entry_id, held.entry_id);
    // One delivery to the crashed worker, then the reclaim and one retry.
    assert_eq!(dead[0].deliveries, 3);
    running.stop().await.expect("clean shutdown");
    harness.cleanup().await;
}

#[tokio::test]
async fn a_malformed_entry_is_dead_lettered_and_the_worker_goes_on() {
    let mut harness = Harness::new(0).await;
    harness.config.max_attempts = 1;
    let running = harness.start().await;

    let _: String = harness
        .queue
        .client()
        .xadd(
            &harness.queue.names().stream,
            false,
            None,
            "*",
            vec![("job", "{broken")],
        )
        .await
        .expect("xadd");
    let job = harness.enqueue_original(b"garbage").await;
    eventually(LIMIT, || async { harness.videos.outcomes().pop() }).await;
    let dead = eventually(LIMIT, || async {
        Some(harness.queue.dead_letters(10).await.expect("dead letters"))
            .filter(|dead| dead.len() == 2)
    })
    .await;

    assert!(dead[0].reason.starts_with("malformed job entry"));
    assert!(dead[1].payload.contains(&job.video_id.to_string()));
    running.stop().await.expect("clean shutdown");
    harness.cleanup().await;
}

#[tokio::test]
async fn an_idle_worker_stops_promptly_on_shutdown() {
    let harness = Harness::new(0).await;
    let running = harness.start().await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let started = Instant::now();
    let stopped = running.stop().await;

    assert!(stopped.is_ok());
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "took {:?}",
        started.elapsed()
    );
    harness.cleanup().await;
}

#[tokio::test]
async fn a_job_interrupted_by_shutdown_goes_back_to_the_queue_without_counting_the_attempt() {
    let mut harness = Harness::new(usize::MAX).await;
    harness.config.max_attempts = 1;
    let running = harness.start().await;

    let job = harness.enqueue_original(b"garbage").await;
    eventually(LIMIT, || async {
        harness
            .videos
            .calls()
            .contains(&Call::RecordRefused)
            .then_some(())
    })
    .await;
    running.stop().await.expect("clean shutdown");
    let idle_limit = Duration::from_secs(harness.config.reclaim_idle_secs);
    let taken = harness
        .queue
        .reclaim_stale("next-worker", idle_limit)
        .await
        .expect("reclaim")
        .expect("the job is reclaimable at once");

    assert_eq!(taken.job, job);
    assert_eq!(taken.deliveries, 1);
    assert!(harness.videos.outcomes().is_empty());
    harness.cleanup().await;
}

#[tokio::test]
async fn partial_outputs_of_killed_transcodes_are_removed_at_start_but_fresh_ones_kept() {
    let harness = Harness::new(0).await;
    let folder = harness
        .storage
        .root()
        .join(anb_storage::MediaKind::Processed.folder());
    let stale = folder.join("0192f6a0-7c1e-7d2a-9b3c-4d5e6f708192.mp4.part-41-0");
    let fresh = folder.join("0192f6a0-7c1e-7d2a-9b3c-4d5e6f708193.mp4.part-42-0");
    let finished = folder.join("0192f6a0-7c1e-7d2a-9b3c-4d5e6f708194.mp4");
    for path in [&stale, &fresh, &finished] {
        std::fs::write(path, b"x").expect("file written");
    }
    let two_hours_ago = std::time::SystemTime::now() - Duration::from_secs(7200);
    for path in [&stale, &finished] {
        let file = std::fs::File::options()
            .write(true)
            .open(path)
            .expect("open");
        file.set_modified(two_hours_ago).expect("mtime set");
    }

    let running = harness.start().await;

    assert!(!stale.exists());
    assert!(fresh.exists());
    assert!(finished.exists());
    running.stop().await.expect("clean shutdown");
    harness.cleanup().await;
}
