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

/// Enqueues `count` jobs and dead-letters each at once; returns them in order.
async fn dead_letter_jobs(test: &TestQueue, count: usize) -> Vec<anb_queue::TranscodeJob> {
    let mut jobs = Vec::new();
    for n in 0..count {
        let sent = job();
        test.queue.enqueue(&sent).await.expect("enqueued");
        let delivery = test
            .queue
            .read_new("w1", NO_WAIT)
            .await
            .expect("read")
            .expect("a job");
        test.queue
            .dead_letter(&delivery, &format!("failure {n}"))
            .await
            .expect("dead letter");
        jobs.push(sent);
    }
    jobs
}

#[tokio::test]
async fn dead_letters_are_paged_oldest_first_and_read_one_by_one() {
    let test = TestQueue::new().await;
    dead_letter_jobs(&test, 3).await;

    let first_page = test
        .queue
        .dead_letters_after(None, 2)
        .await
        .expect("first page");
    let second_page = test
        .queue
        .dead_letters_after(Some(&first_page[1].id), 2)
        .await
        .expect("second page");
    let one = test
        .queue
        .dead_letter_by_id(&second_page[0].id)
        .await
        .expect("lookup");
    let none = test
        .queue
        .dead_letter_by_id("1-0")
        .await
        .expect("lookup of a missing id");

    let reasons = |page: &[anb_queue::DeadLetter]| -> Vec<String> {
        page.iter().map(|letter| letter.reason.clone()).collect()
    };
    assert_eq!(reasons(&first_page), ["failure 0", "failure 1"]);
    assert_eq!(reasons(&second_page), ["failure 2"]);
    assert_eq!(one.as_ref(), Some(&second_page[0]));
    assert_eq!(none, None);
    test.cleanup().await;
}

#[tokio::test]
async fn a_redriven_dead_letter_is_delivered_again_exactly_once() {
    let test = TestQueue::new().await;
    let jobs = dead_letter_jobs(&test, 2).await;
    let letters = test.queue.dead_letters(10).await.expect("dead letters");

    let new_entry = test
        .queue
        .redrive(&letters[0].id)
        .await
        .expect("redrive")
        .expect("the dead letter exists");
    let again = test.queue.redrive(&letters[0].id).await.expect("redrive");
    let delivery = test
        .queue
        .read_new("w2", NO_WAIT)
        .await
        .expect("read")
        .expect("the job is back");
    let nothing_more = test.queue.read_new("w2", NO_WAIT).await.expect("read");
    let left = test.queue.dead_letters(10).await.expect("dead letters");

    assert_eq!(again, None);
    assert_eq!(delivery.entry_id, new_entry);
    assert_eq!(delivery.job, jobs[0]);
    assert_eq!(delivery.deliveries, 1);
    assert_eq!(nothing_more, None);
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].reason, "failure 1");
    test.cleanup().await;
}

#[tokio::test]
async fn a_dead_letter_without_a_runnable_job_is_not_redriven_and_stays() {
    use fred::prelude::StreamsInterface as _;

    let test = TestQueue::new().await;
    let dead_stream = test.queue.names().dead_letters.clone();
    let id: String = test
        .client()
        .xadd(
            &dead_stream,
            false,
            None,
            "*",
            vec![("job", "not json"), ("reason", "malformed job entry")],
        )
        .await
        .expect("raw dead letter");

    let refused = test.queue.redrive(&id).await;
    let still_there = test.queue.dead_letter_by_id(&id).await.expect("lookup");
    let stats = test.queue.stats().await.expect("stats");

    assert!(
        matches!(&refused, Err(anb_queue::Error::Malformed { id: refused_id, .. }) if *refused_id == id),
        "{refused:?}"
    );
    assert_eq!(
        still_there.map(|letter| letter.payload),
        Some("not json".to_owned())
    );
    assert_eq!((stats.stream_length, stats.dead_letters), (0, 1));
    test.cleanup().await;
}
