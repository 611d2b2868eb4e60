use std::time::Duration;

use anb_queue::{QueueStats, TranscodeJob};
use fred::prelude::{KeysInterface, StreamsInterface};

use crate::{NO_WAIT, TestQueue, job};

#[tokio::test]
async fn a_new_job_goes_to_one_consumer_and_ack_removes_it_from_pending_and_stream() {
    let test = TestQueue::new().await;
    let sent = job();
    let entry_id = test.queue.enqueue(&sent).await.expect("enqueued");

    let delivery = test
        .queue
        .read_new("w1", NO_WAIT)
        .await
        .expect("read")
        .expect("a job");
    let to_other = test.queue.read_new("w2", NO_WAIT).await.expect("read");
    let while_held = test.queue.stats().await.expect("stats");
    let acked = test.queue.ack(&delivery.entry_id).await.expect("ack");
    let acked_again = test.queue.ack(&delivery.entry_id).await.expect("ack");
    let after = test.queue.stats().await.expect("stats");

    assert_eq!(delivery.entry_id, entry_id);
    assert_eq!(delivery.job, sent);
    assert_eq!(delivery.deliveries, 1);
    assert_eq!(to_other, None);
    assert_eq!(
        while_held,
        QueueStats {
            stream_length: 1,
            pending: 1,
            dead_letters: 0
        }
    );
    assert!(acked);
    assert!(!acked_again);
    assert_eq!(after, QueueStats::default());
    test.cleanup().await;
}

#[tokio::test]
async fn jobs_come_out_in_the_order_they_were_enqueued() {
    let test = TestQueue::new().await;
    let (first, second) = (job(), job());
    test.queue.enqueue(&first).await.expect("enqueued");
    test.queue.enqueue(&second).await.expect("enqueued");

    let a = test
        .queue
        .read_new("w1", NO_WAIT)
        .await
        .expect("read")
        .expect("a job");
    let b = test
        .queue
        .read_new("w2", NO_WAIT)
        .await
        .expect("read")
        .expect("a job");

    assert_eq!((a.job, b.job), (first, second));
    test.cleanup().await;
}

#[tokio::test]
async fn malformed_entries_are_dead_lettered_and_the_next_good_job_still_arrives() {
    let test = TestQueue::new().await;
    let stream = test.queue.names().stream.clone();
    let _: String = test
        .client()
        .xadd(&stream, false, None, "*", vec![("job", "{not json")])
        .await
        .expect("xadd");
    let _: String = test
        .client()
        .xadd(&stream, false, None, "*", vec![("other", "x")])
        .await
        .expect("xadd");
    let good = job();
    test.queue.enqueue(&good).await.expect("enqueued");

    let first = test.queue.read_new("w1", NO_WAIT).await.expect("read");
    let second = test.queue.read_new("w1", NO_WAIT).await.expect("read");
    let third = test
        .queue
        .read_new("w1", NO_WAIT)
        .await
        .expect("read")
        .expect("the good job");
    let dead = test.queue.dead_letters(10).await.expect("dead letters");
    let stats = test.queue.stats().await.expect("stats");

    assert_eq!((first, second), (None, None));
    assert_eq!(third.job, good);
    assert_eq!(dead.len(), 2);
    assert_eq!(dead[0].payload, "{not json");
    assert!(
        dead[0]
            .reason
            .starts_with("malformed job entry: the `job` field is not a job")
    );
    assert_eq!(dead[1].reason, "malformed job entry: no `job` field");
    assert_eq!(
        stats,
        QueueStats {
            stream_length: 1,
            pending: 1,
            dead_letters: 2
        }
    );
    test.cleanup().await;
}

#[tokio::test]
async fn a_group_lost_with_the_redis_data_is_recreated_by_the_next_reclaim() {
    let test = TestQueue::new().await;
    let _: u64 = test
        .client()
        .del(&test.queue.names().stream)
        .await
        .expect("del");

    let stats_without_group = test.queue.stats().await.expect("stats");
    // A worker asks for stale jobs first, so that call alone must recover.
    let reclaimed = test
        .queue
        .reclaim_stale("w1", Duration::ZERO)
        .await
        .expect("reclaiming recreates the group");
    let read = test.queue.read_new("w1", NO_WAIT).await.expect("read");
    let sent: TranscodeJob = job();
    test.queue.enqueue(&sent).await.expect("enqueued");
    let delivery = test
        .queue
        .read_new("w1", NO_WAIT)
        .await
        .expect("read")
        .expect("a job");

    assert_eq!(stats_without_group, QueueStats::default());
    assert_eq!(reclaimed, None);
    assert_eq!(read, None);
    assert_eq!(delivery.job, sent);
    test.cleanup().await;
}

#[tokio::test]
async fn ensure_group_twice_is_fine_and_keeps_jobs_enqueued_before_it() {
    let test = TestQueue::new().await;
    let sent = job();
    test.queue.enqueue(&sent).await.expect("enqueued");

    test.queue
        .ensure_group()
        .await
        .expect("second ensure_group");
    let delivery = test
        .queue
        .read_new("w1", NO_WAIT)
        .await
        .expect("read")
        .expect("a job");

    assert_eq!(delivery.job, sent);
    test.cleanup().await;
}
