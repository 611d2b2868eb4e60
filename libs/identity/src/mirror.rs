//! This process's copy of the revocation list, so checking a token costs no Redis round
//! trip: on the vote path those look-ups (one in the gateway, one in votes) cost more than a
//! third of the throughput (docs/benchmarks.md).
//!
//! `auth` announces every revocation on a channel as it writes it ([`crate::Revocations`]).
//! A follower task subscribes, then loads every revocation already written, and only then
//! calls the copy complete. Announcements missed while the subscription was down are what
//! the reload after each reconnect is for; until it finishes (and whenever the subscribed
//! connection is not up) the verifier asks Redis as before. Left: between the connection
//! dropping and the client noticing, an announcement can be lost and the copy still be
//! trusted; a dropped TCP connection is noticed at once, a silent network partition only
//! when a command on it times out.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
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

/// Revoked token ids and when each mark ends (Unix seconds).
#[derive(Default)]
struct Known {
    until: HashMap<String, i64>,
}

/// The shared state between the follower task and the verifier.
pub(crate) struct RevocationMirror {
    known: Mutex<Known>,
    /// Every revocation written before the current subscription began is loaded.
    complete: AtomicBool,
    subscriber: Client,
}

impl RevocationMirror {
    /// Starts following the revocations of `list` on a connection of its own (a subscribed
    /// connection cannot send other commands). Needs a Tokio runtime.
    pub(crate) fn follow(list: &Revocations) -> Arc<Self> {
        let mirror = Arc::new(Self {
            known: Mutex::default(),
            complete: AtomicBool::new(false),
            subscriber: list.client().clone_new(),
        });
        tokio::spawn(run(Arc::downgrade(&mirror), list.clone()));
        mirror
    }

    fn known(&self) -> std::sync::MutexGuard<'_, Known> {
        // Plain map inserts and removals: a panic elsewhere cannot leave one half-done.
        self.known.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `token_id` is revoked, when the copy can answer: `None` while it may be
    /// missing revocations.
    pub(crate) fn lookup(&self, token_id: &str, now_unix: i64) -> Option<bool> {
        if !self.complete.load(Ordering::Acquire)
            || self.subscriber.state() != ClientState::Connected
        {
            return None;
        }
        Some(
            self.known()
                .until
                .get(token_id)
                .is_some_and(|until| *until >= now_unix),
        )
    }

    /// Records a revocation this process learned of first hand (a log-out it relayed), so
    /// its own next request with the token is refused without waiting for the announcement.
    pub(crate) fn note(&self, token_id: &str, until_unix: i64) {
        self.known().until.insert(token_id.to_owned(), until_unix);
    }

    fn prune(&self, now_unix: i64) {
        self.known().until.retain(|_, until| *until >= now_unix);
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
    while subscriber.init().await.is_err() {
        tokio::time::sleep(RETRY_AFTER).await;
        if mirror.strong_count() == 0 {
            return;
        }
    }
    // `init` resolves after the first connection, whose reconnect event may have gone out
    // before anyone listened: load once now, and again on every later event.
    let mut reload = true;
    let mut prune = tokio::time::interval(PRUNE_EVERY);
    loop {
        let Some(current) = mirror.upgrade() else {
            break;
        };
        if reload {
            current.complete.store(false, Ordering::Release);
            reload = !resync(&current, &subscriber, &list).await;
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

/// Subscribes, then loads every revocation in Redis; the order means a revocation written
/// meanwhile is either loaded or announced. Returns whether the copy is complete.
async fn resync(mirror: &RevocationMirror, subscriber: &Client, list: &Revocations) -> bool {
    if let Err(err) = subscriber.subscribe(list.channel()).await {
        tracing::debug!(error = %err, "revocation channel not subscribed; asking redis meanwhile");
        return false;
    }
    match load_all(list).await {
        Ok(loaded) => {
            let count = loaded.len();
            mirror.known().until.extend(loaded);
            mirror.complete.store(true, Ordering::Release);
            tracing::debug!(count, "revocation list loaded");
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
