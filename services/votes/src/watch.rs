//! Live rankings (WatchRankings). Any replica may record a vote, so each replica learns of
//! changes from a Redis pub/sub channel the vote script publishes to, plus its own votes
//! directly (they still reach local watchers while Redis is down) and a slow poll as the
//! safety net for messages lost while the subscription was reconnecting. A change only wakes
//! watchers; each re-reads its page (from the view, so mostly Redis) and sends it only if it
//! differs from the last one sent, at most once per coalescing period.

use std::{sync::Arc, time::Duration};

use anb_proto::votes::v1::{RankingEntry, RankingsSnapshot};
use fred::{
    interfaces::{ClientLike as _, EventInterface as _, PubsubInterface as _},
    prelude::Client,
};
use tokio::sync::{mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::Status;

use crate::{ranking::Page, view::RankingView};

/// A counter bumped on every possible ranking change; watchers wait on it.
#[derive(Clone)]
pub struct Changes(Arc<watch::Sender<u64>>);

impl Changes {
    /// A counter nobody waits on yet.
    pub fn new() -> Self {
        Self(Arc::new(watch::Sender::new(0)))
    }

    /// Wakes every watcher of this replica.
    pub fn notify(&self) {
        self.0
            .send_modify(|generation| *generation = generation.wrapping_add(1));
    }

    /// A receiver that sees the next [`Self::notify`].
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.0.subscribe()
    }
}

impl Default for Changes {
    fn default() -> Self {
        Self::new()
    }
}

/// Forwards change announcements of every replica to `changes`, and wakes watchers every
/// `poll` regardless, until `cancel`.
pub async fn listen(
    client: Client,
    channel: String,
    changes: Changes,
    poll: Duration,
    cancel: CancellationToken,
) {
    // A subscribed connection cannot send other commands, so it is a connection of its own.
    let subscriber = loop {
        let subscriber = client.clone_new();
        if subscriber.init().await.is_ok() {
            break subscriber;
        }
        changes.notify();
        tokio::select! {
            () = tokio::time::sleep(poll) => {}
            () = cancel.cancelled() => return,
        }
    };
    let mut messages = subscriber.message_rx();
    let mut reconnects = subscriber.reconnect_rx();
    subscribe(&subscriber, &channel).await;

    let mut ticks = tokio::time::interval(poll);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            message = messages.recv() => match message {
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    changes.notify();
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            },
            reconnected = reconnects.recv() => {
                if reconnected.is_ok() {
                    subscribe(&subscriber, &channel).await;
                    changes.notify();
                }
            }
            _ = ticks.tick() => changes.notify(),
            () = cancel.cancelled() => break,
        }
    }
    let _ = subscriber.quit().await;
}

async fn subscribe(subscriber: &Client, channel: &str) {
    if let Err(err) = subscriber.subscribe(channel).await {
        tracing::debug!(error = %err, "ranking change channel not subscribed; polling meanwhile");
    }
}

/// The stream of one WatchRankings call: the page now, then whenever it changed, at most
/// once per `coalesce`. Ends when the client goes away or the server shuts down.
///
/// TODO: every watcher re-reads its own page on each change — thousands of watchers of one
/// page cost thousands of Redis reads per change; one shared read per distinct page would not.
pub fn stream(
    view: Arc<RankingView>,
    page: Page,
    coalesce: Duration,
    cancel: CancellationToken,
) -> ReceiverStream<Result<RankingsSnapshot, Status>> {
    let (sender, receiver) = mpsc::channel(1);
    let mut changes = view.changes.subscribe();

    tokio::spawn(async move {
        let mut last: Option<Vec<RankingEntry>> = None;
        loop {
            changes.borrow_and_update();
            match view.page(&page).await {
                Ok(ranked) => {
                    let entries: Vec<RankingEntry> = ranked.into_iter().map(Into::into).collect();
                    if last.as_ref() != Some(&entries) {
                        let snapshot = RankingsSnapshot {
                            entries: entries.clone(),
                        };
                        if sender.send(Ok(snapshot)).await.is_err() {
                            return;
                        }
                        last = Some(entries);
                    }
                }
                Err(err) if last.is_none() => {
                    let _ = sender.send(Err(err.into())).await;
                    return;
                }
                // Watchers keep their last snapshot through a blip; the next change retries.
                Err(err) => tracing::debug!(error = %err, "rankings unreadable for a watcher"),
            }

            tokio::select! {
                changed = changes.changed() => if changed.is_err() { return },
                () = sender.closed() => return,
                () = cancel.cancelled() => return,
            }
            tokio::select! {
                () = tokio::time::sleep(coalesce) => {}
                () = sender.closed() => return,
                () = cancel.cancelled() => return,
            }
        }
    });
    ReceiverStream::new(receiver)
}
