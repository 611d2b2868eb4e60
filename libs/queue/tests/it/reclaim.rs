use std::time::Duration;

use crate::{NO_WAIT, TestQueue, job};

const IDLE_LIMIT: Duration = Duration::from_millis(400);

#[tokio::test]
async fn an_unacked_job_is_reclaimed_by_a_second_consumer_only_after_the_idle_limit() {
    let test = TestQueue::new().await;
    let sent = job();
    test.queue.enqueue(&sent).await.expect("enqueued");
    let held = test
        .queue
        .read_new("dead-worker", NO_WAIT)
        .await
        .expect("read")
        .expect("a job");

    let too_early = test
        .queue
        .reclaim_stale("w2", IDLE_LIMIT)
        .await
        .expect("reclaim");
    tokio::time::sleep(IDLE_LIMIT + Duration::from_millis(100)).await;
    let reclaimed = test
        .queue
        .reclaim_stale("w2", IDLE_LIMIT)
        .await
        .expect("reclaim")
        .expect("a job");
    let count = test
        .queue
        .delivery_count(&held.entry_id)
        .await
        .expect("xpending");

    assert_eq!(too_early, None);
    assert_eq!(reclaimed.entry_id, held.entry_id);
    assert_eq!(reclaimed.job, sent);
    assert_eq!(reclaimed.deliveries, 2);
    assert_eq!(count, Some(2));
    test.cleanup().await;
}

#[tokio::test]
async fn touch_keeps_a_long_running_job_from_being_reclaimed() {
    let test = TestQueue::new().await;
    test.queue.enqueue(&job()).await.expect("enqueued");
    let held = test
        .queue
        .read_new("w1", NO_WAIT)
        .await
        .expect("read")
        .expect("a job");

    tokio::time::sleep(IDLE_LIMIT).await;
    let still_pending = test.queue.touch("w1", &held.entry_id).await.expect("touch");
    let reclaimed = test
        .queue
        .reclaim_stale("w2", IDLE_LIMIT)
        .await
        .expect("reclaim");
    let count = test
        .queue
        .delivery_count(&held.entry_id)
        .await
        .expect("xpending");

    assert!(still_pending);
    assert_eq!(reclaimed, None);
    assert_eq!(count, Some(1));
    test.cleanup().await;
}

#[tokio::test]
async fn each_redelivery_counts_and_a_released_job_is_reclaimable_at_once() {
    let test = TestQueue::new().await;
    test.queue.enqueue(&job()).await.expect("enqueued");
    let held = test
        .queue
        .read_new("w1", NO_WAIT)
        .await
        .expect("read")
        .expect("a job");

    let second = test
        .queue
        .redeliver("w1", &held.entry_id)
        .await
        .expect("redeliver");
    test.queue
        .release("w1", &held.entry_id, 1, Duration::from_secs(3600))
        .await
        .expect("release");
    let taken = test
        .queue
        .reclaim_stale("w2", Duration::from_secs(600))
        .await
        .expect("reclaim");

    assert_eq!(second, Some(2));
    assert_eq!(taken.map(|delivery| delivery.deliveries), Some(2));
    test.cleanup().await;
}

#[tokio::test]
async fn touching_or_redelivering_a_finished_job_reports_it_gone() {
    let test = TestQueue::new().await;
    test.queue.enqueue(&job()).await.expect("enqueued");
    let held = test
        .queue
        .read_new("w1", NO_WAIT)
        .await
        .expect("read")
        .expect("a job");
    test.queue.ack(&held.entry_id).await.expect("ack");

    let touched = test.queue.touch("w1", &held.entry_id).await.expect("touch");
    let redelivered = test
        .queue
        .redeliver("w1", &held.entry_id)
        .await
        .expect("redeliver");
    let count = test
        .queue
        .delivery_count(&held.entry_id)
        .await
        .expect("xpending");

    assert!(!touched);
    assert_eq!(redelivered, None);
    assert_eq!(count, None);
    test.cleanup().await;
}
