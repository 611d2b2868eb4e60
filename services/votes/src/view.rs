//! Where rankings are read from: the Redis view while it is healthy and built, Postgres
//! otherwise. A vote moves the view after it committed; a failed Redis write marks the view
//! stale on this replica (reads go to Postgres) and wakes the reconciler, which repairs it
//! and clears the mark once Redis answers again.

use std::{future::Future, sync::Mutex, time::Duration};

use sea_orm::DatabaseConnection;
use tokio::sync::Notify;

use crate::{
    cache::RankingCache,
    error::Result,
    ranking::{self, Page, Ranked},
    videos::Owner,
    watch::Changes,
};

/// Longest a read or write of the view may take before Postgres answers instead: a Redis
/// that is down must not make votes or rankings wait for the client's reconnect attempts.
pub const REDIS_TIMEOUT: Duration = Duration::from_millis(500);

/// The rankings as served, with the machinery that keeps the Redis view right.
pub struct RankingView {
    pub db: DatabaseConnection,
    pub cache: RankingCache,
    /// Wakes watchers of this replica.
    pub changes: Changes,
    /// Wakes the reconciler before its next tick.
    pub repair: Notify,
    health: Mutex<Health>,
}

/// Whether reads may use Redis, and how many votes finished so far. A vote counts itself
/// and reads the flag under one lock, so the reconciler can tell whether any vote committed
/// after its Postgres read skipped the view; it clears the flag only when none did, and a
/// confirmed vote is never missing from what is served afterwards.
#[derive(Debug, Clone, Copy)]
struct Health {
    stale: bool,
    votes_seen: u64,
}

/// What the reconciler reads before a pass and hands back to [`RankingView::mark_repaired`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VotesSeen(u64);

impl RankingView {
    /// A view that trusts Redis only after the reconciler built or checked it once.
    pub fn new(db: DatabaseConnection, cache: RankingCache) -> Self {
        Self {
            db,
            cache,
            changes: Changes::new(),
            repair: Notify::new(),
            health: Mutex::new(Health {
                stale: true,
                votes_seen: 0,
            }),
        }
    }

    fn health(&self) -> std::sync::MutexGuard<'_, Health> {
        // The guarded data is two plain values: a panic elsewhere cannot leave it half-set.
        self.health
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether reads currently bypass Redis.
    pub fn is_stale(&self) -> bool {
        self.health().stale
    }

    /// Read by the reconciler before it reads Postgres.
    pub fn votes_seen(&self) -> VotesSeen {
        VotesSeen(self.health().votes_seen)
    }

    /// Called by the reconciler after a pass that began with `before`: Redis matches
    /// Postgres again, unless a vote finished during the pass while the view was stale, in
    /// which case it stays stale for another pass.
    pub fn mark_repaired(&self, before: VotesSeen) {
        let mut health = self.health();
        if health.stale && health.votes_seen == before.0 {
            health.stale = false;
            drop(health);
            tracing::info!("ranking view in redis is current; serving rankings from it");
        }
    }

    /// Sends reads to Postgres until the reconciler has repaired the view, and wakes it.
    pub fn mark_stale(&self, why: &dyn std::fmt::Display) {
        self.set_stale(why);
        self.repair.notify_one();
    }

    /// [`Self::mark_stale`] without waking the reconciler (which calls this itself).
    pub fn set_stale(&self, why: &dyn std::fmt::Display) {
        let was_stale = std::mem::replace(&mut self.health().stale, true);
        if !was_stale {
            tracing::warn!(reason = %why, "ranking view in redis not usable; serving from postgres");
        }
    }

    /// One page of rankings.
    ///
    /// # Errors
    /// Database errors when Postgres has to answer and cannot.
    pub async fn page(&self, page: &Page) -> Result<Vec<Ranked>> {
        if !self.is_stale() {
            let city = page.city_key();
            match bounded(self.cache.page(city.as_deref(), page.limit, page.offset)).await {
                Ok(Some(ranked)) => return Ok(ranked),
                Ok(None) => self.mark_stale(&"the view is not built (flushed or new)"),
                Err(err) => self.mark_stale(&err),
            }
        }
        ranking::rankings(&self.db, page).await
    }

    /// Moves the scores of `owners` (distinct players) after `votes` committed votes of
    /// theirs and wakes watchers. Never fails: the votes count already, and a view that could
    /// not follow is repaired later. While the view is stale the write is skipped: the
    /// reconciler's rebuild covers it.
    pub async fn after_votes(&self, owners: &[Owner], votes: u64) {
        let stale = {
            let mut health = self.health();
            health.votes_seen = health.votes_seen.wrapping_add(votes);
            health.stale
        };
        if !stale {
            match ranking::player_scores(&self.db, owners).await {
                Ok(players) => {
                    if let Err(err) = bounded(self.cache.record(&players)).await {
                        self.mark_stale(&err);
                    }
                }
                Err(err) => self.mark_stale(&err),
            }
        }
        self.changes.notify();
    }
}

/// Why a bounded Redis call gave up.
#[derive(Debug, thiserror::Error)]
enum ViewError {
    #[error("redis did not answer within {REDIS_TIMEOUT:?}")]
    Timeout,
    #[error(transparent)]
    Redis(#[from] fred::error::Error),
}

async fn bounded<T>(
    call: impl Future<Output = Result<T, fred::error::Error>>,
) -> Result<T, ViewError> {
    match tokio::time::timeout(REDIS_TIMEOUT, call).await {
        Ok(answer) => Ok(answer?),
        Err(_) => Err(ViewError::Timeout),
    }
}
