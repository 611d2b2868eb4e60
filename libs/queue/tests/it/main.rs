//! The queue against a real Redis (`ANB_TEST_REDIS_URL`); every test uses its own key prefix.

mod consume;
mod dead_letters;
mod reclaim;

use std::time::Duration;

use anb_queue::{JobQueue, QueueNames, TranscodeJob};
use fred::prelude::{Client, ClientLike, KeysInterface};
use uuid::Uuid;

/// A queue under a fresh prefix, with its group created.
pub struct TestQueue {
    pub queue: JobQueue,
    names: QueueNames,
}

impl TestQueue {
    pub async fn new() -> Self {
        let url = std::env::var("ANB_TEST_REDIS_URL").expect(
            "ANB_TEST_REDIS_URL must point at a throw-away Redis \
             (deploy/local/test sets it; see deploy/local/lib.sh)",
        );
        let client = anb_queue::connect(&url, Duration::from_secs(5))
            .await
            .expect("test Redis reachable");
        let names = QueueNames::with_prefix(&format!("anb_t_{}", Uuid::new_v4().simple()));
        let queue = JobQueue::new(client, names.clone());
        queue.ensure_group().await.expect("group created");
        Self { queue, names }
    }

    pub fn client(&self) -> &Client {
        self.queue.client()
    }

    /// Deletes the test's keys; call at the end of each test.
    pub async fn cleanup(self) {
        let keys = vec![self.names.stream.clone(), self.names.dead_letters.clone()];
        let _: u64 = self.client().del(keys).await.expect("keys deleted");
        let _: () = self.client().quit().await.expect("client closed");
    }
}

pub fn job() -> TranscodeJob {
    TranscodeJob {
        video_id: Uuid::now_v7(),
        task_id: Uuid::new_v4(),
        traceparent: None,
    }
}

pub const NO_WAIT: Duration = Duration::from_millis(50);
