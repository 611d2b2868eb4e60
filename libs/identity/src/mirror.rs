//! This process's copy of the revocation list, so checking a token costs no Redis round
//! trip: on the vote path those look-ups (one in the gateway, one in votes) cost more than a
//! third of the throughput (docs/benchmarks.md).
//!
//! `auth` announces every revocation on a channel as it writes it ([`crate::Revocations`]).
//! A follower task subscribes, then loads every revocation already written, and only then
//! calls the copy current. It stops trusting the copy the moment the subscribed connection
//! reports an error, and whenever a PING on it has gone unanswered for [`STALE_AFTER`] (an
//! idle subscription would otherwise never notice a silent network partition); it reloads
//! after each reconnect and after announcements were dropped unread. While the copy is not
//! current, tokens it does not list are checked in Redis as before.
//!
//! Left: an announcement sent in the instant between the connection breaking and the client
//! reporting it is missed until the next reload; and an `auth` older than this code writes
//! marks without announcing them, so `auth` must be upgraded before the verifiers.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use fred::{
    prelude::{
        Client, ClientLike as _, EventInterface as _, KeysInterface as _, PubsubInterface as _,
    },
    types::{ClientState, scan::Scanner as _},
};
use futures::StreamExt as _;
use tokio::sync::broadcast::error::RecvError;

use crate::revocation::{Announcement, Revocations};

/// How often revocations of tokens that have expired anyway are dropped from memory.
const PRUNE_EVERY: Duration = Duration::from_secs(60);
/// Wait before trying to subscribe again after a failure.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// How often the subscribed connection is asked for a PING.
const PING_EVERY: Duration = Duration::from_secs(1);
/// The copy is not trusted once the last PING answer is older than this.
const STALE_AFTER: Duration = Duration::from_secs(3);
/// Announcements buffered between the connection and the follower; past it a reload runs.
const BUFFERED_MESSAGES: usize = 4096;

/// The shared state between the follower task and the verifier.
pub(crate) struct RevocationMirror {
    /// Revoked token ids and when each mark ends (Unix seconds).
    known: Mutex<HashMap<String, i64>>,
    /// Every revocation written before the current subscription began is loaded.
    complete: AtomicBool,
    /// When the subscribed connection last answered a PING, in milliseconds after `epoch`.
    answered_ms: AtomicU64,
    epoch: Instant,
    subscriber: Client,
}

impl RevocationMirror {
    /// Starts following the revocations of `list` on a connection of its own (a subscribed
    /// connection cannot send other commands). Needs a Tokio runtime.
    pub(crate) fn follow(list: &Revocations) -> Arc<Self> {
        let client = list.client();
        let mut buffers = client.perf_config();
        buffers.broadcast_channel_capacity = BUFFERED_MESSAGES;
        let subscriber = Client::new(
            client.client_config(),
            Some(buffers),
            Some(client.connection_config().clone()),
            client.client_reconnect_policy(),
        );
        let mirror = Arc::new(Self {
            known: Mutex::default(),
            complete: AtomicBool::new(false),
            answered_ms: AtomicU64::new(0),
            epoch: Instant::now(),
            subscriber,
        });
        tokio::spawn(run(Arc::downgrade(&mirror), list.clone()));
        mirror
    }

    fn known(&self) -> std::sync::MutexGuard<'_, HashMap<String, i64>> {
        // Plain map inserts and removals: a panic elsewhere cannot leave one half-done.
        self.known.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `token_id` is revoked, when the copy can answer: a token it lists is revoked
    /// whatever the connection's state; one it does not list is `None` while the copy may
    /// be missing revocations.
    pub(crate) fn lookup(&self, token_id: &str, now_unix: i64) -> Option<bool> {
        let listed = self
            .known()
            .get(token_id)
            .is_some_and(|until| *until >= now_unix);
        (listed || self.is_current()).then_some(listed)
    }

    /// Whether the copy holds every revocation: loaded since the subscription began, no
    /// error on the subscribed connection since, and a PING answered recently.
    pub(crate) fn is_current(&self) -> bool {
        let answered = Duration::from_millis(self.answered_ms.load(Ordering::Acquire));
        self.complete.load(Ordering::Acquire)
            && self.subscriber.state() == ClientState::Connected
            && self.epoch.elapsed().saturating_sub(answered) < STALE_AFTER
    }

    fn set_complete(&self, complete: bool) {
        let was = self.complete.swap(complete, Ordering::AcqRel);
        if was && !complete {
            tracing::info!("revocation list copy not current; checking tokens in redis");
        }
    }

    fn answered_now(&self) {
        let now = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.answered_ms.store(now, Ordering::Release);
    }

    /// Records a revocation this process learned of first hand (a log-out it relayed), so
    /// its own next request with the token is refused without waiting for the announcement.
    pub(crate) fn note(&self, token_id: &str, until_unix: i64) {
        self.known().insert(token_id.to_owned(), until_unix);
    }

    fn prune(&self, now_unix: i64) {
        self.known().retain(|_, until| *until >= now_unix);
    }
}

/// Subscribes and reloads after every (re)connection, applies announcements, and prunes,
/// until the mirror is dropped.
async fn run(mirror: std::sync::Weak<RevocationMirror>, list: Revocations) {
    let subscriber = match mirror.upgrade() {
        Some(mirror) => mirror.subscriber.clone(),
        None => return,
    };
    let mut messages = subscriber.message_rx();
    let mut reconnects = subscriber.reconnect_rx();
    let mut errors = subscriber.error_rx();
    while subscriber.init().await.is_err() {
        tokio::time::sleep(RETRY_AFTER).await;
        if mirror.strong_count() == 0 {
            return;
        }
    }
    // The first connection's own events say nothing new: the load below follows it.
    reconnects = reconnects.resubscribe();
    errors = errors.resubscribe();
    tokio::spawn(ping(mirror.clone()));
    let mut reload = true;
    let mut prune = tokio::time::interval(PRUNE_EVERY);
    loop {
        let Some(current) = mirror.upgrade() else {
            break;
        };
        if reload {
            current.set_complete(false);
            reload = !resync(&current, &list).await;
            if reload {
                tokio::time::sleep(RETRY_AFTER).await;
                continue;
            }
        }
        drop(current);
        tokio::select! {
            message = messages.recv() => match message {
                Ok(message) => {
                    if let (Some(mirror), Some(text)) = (mirror.upgrade(), message.value.as_str())
                        && let Some(announced) = Announcement::parse(&text)
                    {
                        mirror.note(&announced.token_id, announced.until_unix);
                    }
                }
                // Announcements were dropped before they were read: only a reload is sure.
                Err(RecvError::Lagged(_)) => reload = true,
                Err(RecvError::Closed) => break,
            },
            // Stop trusting the copy at once; the reconnect that follows reloads it.
            failed = errors.recv() => match failed {
                Ok(_) | Err(RecvError::Lagged(_)) => {
                    if let Some(mirror) = mirror.upgrade() {
                        mirror.set_complete(false);
                    }
                    reload = true;
                }
                Err(RecvError::Closed) => break,
            },
            reconnected = reconnects.recv() => match reconnected {
                Ok(_) | Err(RecvError::Lagged(_)) => reload = true,
                Err(RecvError::Closed) => break,
            },
            _ = prune.tick() => {
                if let Some(mirror) = mirror.upgrade() {
                    mirror.prune(chrono::Utc::now().timestamp());
                }
            }
        }
    }
    let _ = subscriber.quit().await;
}

/// PINGs the subscribed connection, which otherwise carries nothing this process sends and
/// would never notice that the network between it and Redis went silent.
async fn ping(mirror: std::sync::Weak<RevocationMirror>) {
    let mut every = tokio::time::interval(PING_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let Some(current) = mirror.upgrade() else {
            return;
        };
        let subscriber = current.subscriber.clone();
        drop(current);
        let answered =
            tokio::time::timeout(PING_EVERY, subscriber.ping::<fred::types::Value>(None));
        if let (Ok(Ok(_)), Some(mirror)) = (answered.await, mirror.upgrade()) {
            mirror.answered_now();
        }
    }
}

/// Subscribes, then loads every revocation in Redis; the order means a revocation written
/// meanwhile is either loaded or announced. Returns whether the copy is complete.
async fn resync(mirror: &RevocationMirror, list: &Revocations) -> bool {
    if let Err(err) = mirror.subscriber.subscribe(list.channel()).await {
        tracing::debug!(error = %err, "revocation channel not subscribed; asking redis meanwhile");
        return false;
    }
    mirror.answered_now();
    match load_all(list).await {
        Ok(loaded) => {
            let count = loaded.len();
            mirror.known().extend(loaded);
            mirror.set_complete(true);
            tracing::info!(count, "revocation list loaded; checking tokens in memory");
            true
        }
        Err(err) => {
            tracing::debug!(error = %err, "revocation list not loaded; asking redis meanwhile");
            false
        }
    }
}

async fn load_all(list: &Revocations) -> Result<Vec<(String, i64)>, fred::error::Error> {
    let client = list.client();
    let mut pages = client.scan(list.key_pattern(), Some(1000), None);
    let mut keys = Vec::new();
    while let Some(page) = pages.next().await {
        let mut page = page?;
        keys.extend(page.take_results().unwrap_or_default());
    }
    let now = chrono::Utc::now().timestamp();
    let mut loaded = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(500) {
        let values: Vec<Option<i64>> = client.mget(chunk.to_vec()).await?;
        for (key, value) in chunk.iter().zip(values) {
            let Some(token_id) = key.as_str().and_then(|key| list.token_id_of(key)) else {
                continue;
            };
            // A key already gone is not revoked any more; one written by an older `auth`
            // holds no end time, so it is kept for as long as any token can live.
            let until = match value {
                None => continue,
                Some(until) if until > 1 => until,
                Some(_) => now + crate::revocation::LONGEST_MARK_SECS,
            };
            loaded.push((token_id.to_owned(), until));
        }
    }
    Ok(loaded)
}
