use std::time::Duration;

use anb_queue::QueueStats;

use crate::{NO_WAIT, TestQueue, job};

#[tokio::test]
async fn a_poison_job_goes_to_dead_letters_with_its_reason_after_n_deliveries() {
    let test = TestQueue::new().await;
    let sent = job();
    test.queue.enqueue(&sent).await.expect("enqueued");
    let mut delivery = test
        .queue
        .read_new("w1", NO_WAIT)
        .await
        .expect("read")
        .expect("a job");
    for worker in ["w2", "w3"] {
        tokio::time::sleep(Duration::from_millis(60)).await;
        delivery = test
            .queue
            .reclaim_stale(worker, Duration::from_millis(50))
            .await
            .expect("reclaim")
            .expect("the stale job");
    }

    test.queue
        .dead_letter(&delivery, "the original cannot be decoded")
        .await
        .expect("dead letter");
    let dead = test.queue.dead_letters(10).await.expect("dead letters");
    let stats = test.queue.stats().await.expect("stats");

    assert_eq!(delivery.deliveries, 3);
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].entry_id, delivery.entry_id);
    assert_eq!(dead[0].reason, "the original cannot be decoded");
    assert_eq!(dead[0].deliveries, 3);
    assert_eq!(dead[0].payload, serde_json::to_string(&sent).expect("json"));
    assert!(dead[0].failed_at_ms > 1_700_000_000_000);
    assert_eq!(
        stats,
        QueueStats {
            stream_length: 0,
            pending: 0,
            dead_letters: 1
        }
    );
    test.cleanup().await;
}
