//! The worker side of the queue. An entry stays in the stream and in the group's pending
//! list from its first delivery until it is acknowledged or moved to the dead letters; then
//! it is deleted, so the stream only ever holds jobs that are not finished.

use std::{
    collections::HashMap,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use fred::{
    prelude::{StreamsInterface, TransactionInterface, Value},
    types::streams::XReadResponse,
};

use crate::{
    Error, JobQueue, TranscodeJob,
    entry::{DeadLetter, RawEntry, decode_job, raw_payload},
    queue::JOB_FIELD,
};

/// How many pages of the pending list one reclaim scan reads before giving up for now.
const MAX_RECLAIM_PAGES: usize = 100;

/// A job handed to one consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Id of the stream entry; acknowledge and dead-letter by this id.
    pub entry_id: String,
    /// The job.
    pub job: TranscodeJob,
    /// How many times the group has handed the entry out, this delivery included.
    pub deliveries: u64,
}

/// Depth and state of the queue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Jobs in the stream: waiting or being processed.
    pub stream_length: u64,
    /// Jobs delivered to a worker and not yet acknowledged.
    pub pending: u64,
    /// Entries in the dead-letter stream.
    pub dead_letters: u64,
}

impl JobQueue {
    /// Creates the stream and the consumer group if they do not exist yet. The group starts
    /// at the beginning of the stream so jobs enqueued before any worker ran are processed.
    ///
    /// # Errors
    /// When Redis is unreachable.
    pub async fn ensure_group(&self) -> Result<(), Error> {
        let created: Result<Value, _> = self
            .client
            .xgroup_create(&self.names.stream, &self.names.group, "0", true)
            .await;
        match created {
            Err(err) if !err.details().starts_with("BUSYGROUP") => Err(err.into()),
            _ => Ok(()),
        }
    }

    /// Waits up to `block` for a job never delivered before and hands it to `consumer`.
    ///
    /// A malformed entry is moved to the dead letters and `None` is returned, so one bad
    /// entry never stops a worker. A missing group (Redis lost its data) is recreated.
    ///
    /// # Errors
    /// When Redis is unreachable.
    pub async fn read_new(
        &self,
        consumer: &str,
        block: Duration,
    ) -> Result<Option<Delivery>, Error> {
        let block_ms = u64::try_from(block.as_millis()).unwrap_or(u64::MAX).max(1);
        let read: Result<Value, Error> = self
            .client
            .xreadgroup(
                &self.names.group,
                consumer,
                Some(1),
                Some(block_ms),
                false,
                &self.names.stream,
                ">",
            )
            .await
            .map_err(Error::from);
        let reply = match read {
            Err(err) => return self.recreate_missing_group(err).await,
            Ok(reply) => reply,
        };
        // BLOCK timing out answers nil, which is not a map.
        if reply.is_null() {
            return Ok(None);
        }

        let response: XReadResponse<String, String, Vec<u8>, Value> =
            reply.into_xread_response()?;
        match response.into_values().flatten().next() {
            Some(entry) => self.accept(entry, 1).await,
            None => Ok(None),
        }
    }

    /// Takes over one job that another consumer (or this one, before a restart) has held
    /// for longer than `min_idle` without acknowledging it. A missing group is recreated.
    ///
    /// # Errors
    /// When Redis is unreachable.
    pub async fn reclaim_stale(
        &self,
        consumer: &str,
        min_idle: Duration,
    ) -> Result<Option<Delivery>, Error> {
        let min_idle_ms = millis(min_idle);
        let mut cursor = "0-0".to_owned();
        for _ in 0..MAX_RECLAIM_PAGES {
            let claimed: Result<(String, Vec<RawEntry>), Error> = self
                .client
                .xautoclaim_values(
                    &self.names.stream,
                    &self.names.group,
                    consumer,
                    min_idle_ms,
                    cursor.as_str(),
                    Some(1),
                    false,
                )
                .await
                .map_err(Error::from);
            let (next, entries) = match claimed {
                Err(err) => return self.recreate_missing_group(err).await,
                Ok(claimed) => claimed,
            };
            if let Some(entry) = entries.into_iter().next() {
                let deliveries = self.delivery_count(&entry.0).await?.unwrap_or(1);
                return self.accept(entry, deliveries).await;
            }
            if next == "0-0" {
                break;
            }
            cursor = next;
        }
        Ok(None)
    }

    /// Nothing to deliver, after recreating the group, when `err` says it is missing (Redis
    /// lost its data: flushed, or restarted without persistence); `err` otherwise.
    async fn recreate_missing_group(&self, err: Error) -> Result<Option<Delivery>, Error> {
        if !err.is_missing_group() {
            return Err(err);
        }
        tracing::warn!("consumer group missing; recreating it");
        self.ensure_group().await?;
        Ok(None)
    }

    /// Delivers `entry_id` to `consumer` once more (a retry), which counts as a delivery.
    /// Returns the new delivery count, or `None` when the entry is no longer pending
    /// (another worker finished it).
    ///
    /// # Errors
    /// When Redis is unreachable.
    pub async fn redeliver(&self, consumer: &str, entry_id: &str) -> Result<Option<u64>, Error> {
        let claimed: Vec<RawEntry> = self
            .client
            .xclaim_values(
                &self.names.stream,
                &self.names.group,
                consumer,
                0,
                entry_id,
                None,
                None,
                None,
                false,
                false,
            )
            .await?;
        if claimed.is_empty() {
            return Ok(None);
        }
        self.delivery_count(entry_id).await
    }

    /// Tells the group that `consumer` is still working on `entry_id`, so it is not
    /// reclaimed as stale. Does not count as a delivery. Returns whether it is still pending.
    ///
    /// # Errors
    /// When Redis is unreachable.
    pub async fn touch(&self, consumer: &str, entry_id: &str) -> Result<bool, Error> {
        let ids: Vec<String> = self
            .client
            .xclaim(
                &self.names.stream,
                &self.names.group,
                consumer,
                0,
                entry_id,
                None,
                None,
                None,
                false,
                true,
            )
            .await?;
        Ok(!ids.is_empty())
    }

    /// Gives an unfinished job back: it becomes reclaimable by any worker at once, and its
    /// delivery count is set to `deliveries` so an interrupted attempt is not counted.
    ///
    /// # Errors
    /// When Redis is unreachable.
    pub async fn release(
        &self,
        consumer: &str,
        entry_id: &str,
        deliveries: u64,
        idle: Duration,
    ) -> Result<(), Error> {
        let _ids: Vec<String> = self
            .client
            .xclaim(
                &self.names.stream,
                &self.names.group,
                consumer,
                0,
                entry_id,
                Some(millis(idle)),
                None,
                Some(deliveries),
                false,
                true,
            )
            .await?;
        Ok(())
    }

    /// How many times `entry_id` has been delivered, or `None` when it is not pending.
    ///
    /// # Errors
    /// When Redis is unreachable.
    pub async fn delivery_count(&self, entry_id: &str) -> Result<Option<u64>, Error> {
        let rows: Vec<(String, String, u64, u64)> = self
            .client
            .xpending(
                &self.names.stream,
                &self.names.group,
                (entry_id, entry_id, 1),
            )
            .await?;
        Ok(rows.first().map(|(_, _, _, deliveries)| *deliveries))
    }

    /// Marks `entry_id` done and removes it from the stream. Returns whether it was still
    /// pending (false when another worker acknowledged it first).
    ///
    /// # Errors
    /// When Redis is unreachable.
    pub async fn ack(&self, entry_id: &str) -> Result<bool, Error> {
        let transaction = self.client.multi();
        let () = transaction
            .xack(&self.names.stream, &self.names.group, entry_id)
            .await?;
        let () = transaction.xdel(&self.names.stream, entry_id).await?;
        let (acked, _deleted): (u64, u64) = transaction.exec(true).await?;
        Ok(acked > 0)
    }

    /// Moves a job that will never succeed to the dead-letter stream with `reason`, and
    /// acknowledges it, in one transaction.
    ///
    /// # Errors
    /// When Redis is unreachable.
    pub async fn dead_letter(&self, delivery: &Delivery, reason: &str) -> Result<(), Error> {
        let payload =
            serde_json::to_string(&delivery.job).expect("a job always serializes to JSON");
        self.move_to_dead_letters(&delivery.entry_id, &payload, reason, delivery.deliveries)
            .await
    }

    /// The oldest `count` dead letters.
    ///
    /// # Errors
    /// When Redis is unreachable.
    pub async fn dead_letters(&self, count: u64) -> Result<Vec<DeadLetter>, Error> {
        let entries: Vec<RawEntry> = self
            .client
            .xrange_values(&self.names.dead_letters, "-", "+", Some(count))
            .await?;
        Ok(entries.into_iter().map(DeadLetter::from_raw).collect())
    }

    /// Stream length, pending jobs and dead letters.
    ///
    /// # Errors
    /// When Redis is unreachable.
    pub async fn stats(&self) -> Result<QueueStats, Error> {
        let stream_length: u64 = self.client.xlen(&self.names.stream).await?;
        let dead_letters: u64 = self.client.xlen(&self.names.dead_letters).await?;
        let summary: Result<Vec<Value>, Error> = self
            .client
            .xpending(&self.names.stream, &self.names.group, ())
            .await
            .map_err(Error::from);
        let pending = match summary {
            Err(err) if err.is_missing_group() => 0,
            other => other?.first().and_then(Value::as_u64).unwrap_or(0),
        };

        Ok(QueueStats {
            stream_length,
            pending,
            dead_letters,
        })
    }

    /// Turns a delivered entry into a [`Delivery`], or dead-letters it when malformed.
    async fn accept(
        &self,
        (entry_id, fields): RawEntry,
        deliveries: u64,
    ) -> Result<Option<Delivery>, Error> {
        match decode_job(&fields) {
            Ok(job) => Ok(Some(Delivery {
                entry_id,
                job,
                deliveries,
            })),
            Err(problem) => {
                tracing::warn!(%entry_id, %problem, "malformed job entry moved to dead letters");
                let reason = format!("malformed job entry: {problem}");
                self.move_to_dead_letters(&entry_id, &raw_payload(&fields), &reason, deliveries)
                    .await?;
                Ok(None)
            }
        }
    }

    async fn move_to_dead_letters(
        &self,
        entry_id: &str,
        payload: &str,
        reason: &str,
        deliveries: u64,
    ) -> Result<(), Error> {
        let record: HashMap<&str, String> = HashMap::from([
            (JOB_FIELD, payload.to_owned()),
            ("entry_id", entry_id.to_owned()),
            ("reason", reason.to_owned()),
            ("deliveries", deliveries.to_string()),
            ("failed_at_ms", now_ms().to_string()),
        ]);
        let transaction = self.client.multi();
        let () = transaction
            .xadd(&self.names.dead_letters, false, None, "*", record)
            .await?;
        let () = transaction
            .xack(&self.names.stream, &self.names.group, entry_id)
            .await?;
        let () = transaction.xdel(&self.names.stream, entry_id).await?;
        let _replies: Vec<Value> = transaction.exec(true).await?;
        Ok(())
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, millis)
}
