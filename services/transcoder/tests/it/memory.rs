//! A long-running worker must not grow: issue 4 wants its resident memory after 50
//! consecutive jobs within 10 % of that after the first 5.

use anb_proto::videos::v1::record_transcode_result_request::Outcome;

use crate::{
    Harness,
    child::{JOB_LIMIT, WorkerProcess},
    clip_bytes, eventually,
};

const JOBS: usize = 50;
const WARM_UP_JOBS: usize = 5;

#[tokio::test]
async fn resident_memory_after_fifty_jobs_stays_within_ten_percent_of_that_after_five() {
    let harness = Harness::new(0).await;
    let worker = WorkerProcess::spawn(&harness.config);
    let clip = clip_bytes(320, 180, 1);

    let mut resident_kib = Vec::new();
    for done in 1..=JOBS {
        harness.enqueue_original(&clip).await;
        // One job at a time, measured while the worker idles between jobs, so the reading
        // holds what the worker kept rather than a transcode in flight.
        eventually(JOB_LIMIT, || async {
            let stats = harness.queue.stats().await.expect("stats");
            (harness.videos.outcomes().len() == done && stats.pending == 0).then_some(())
        })
        .await;
        if done == WARM_UP_JOBS || done == JOBS {
            resident_kib.push(worker.resident_kib());
        }
    }

    let [after_five, after_fifty] = resident_kib[..] else {
        panic!("two readings expected, got {resident_kib:?}")
    };
    println!("VmRSS after {WARM_UP_JOBS} jobs: {after_five} KiB, after {JOBS}: {after_fifty} KiB");
    let succeeded = harness
        .videos
        .outcomes()
        .iter()
        .filter(|outcome| matches!(outcome, Outcome::Succeeded(_)))
        .count();
    assert_eq!(succeeded, JOBS);
    assert!(
        after_fifty * 10 <= after_five * 11,
        "resident memory grew from {after_five} KiB to {after_fifty} KiB"
    );
    harness.cleanup().await;
}
