//! The rankings as last answered by votes, kept briefly so a crowd refreshing the same page
//! costs one upstream call per page and interval instead of one each. A vote cast through
//! this gateway drops everything kept, so a voter always reads their own vote; votes cast
//! through other gateways show after at most the keep time, the same delay the live stream
//! coalesces to.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use axum::body::Bytes;

/// Distinct pages kept at most; past it the memory starts over, so odd filters cannot grow it.
const MAX_PAGES: usize = 1_024;

/// Which page: limit, offset and the city filter as asked.
pub(crate) type PageKey = (u32, u32, Option<String>);

/// Kept rankings pages; cloning shares them.
#[derive(Clone)]
pub(crate) struct RankingsCache {
    inner: Arc<Inner>,
}

struct Inner {
    keep: Duration,
    /// Bumped by every vote through this gateway; a page fetched before a bump is old.
    generation: AtomicU64,
    pages: Mutex<HashMap<PageKey, Arc<Slot>>>,
}

#[derive(Default)]
struct Slot {
    kept: Mutex<Option<Kept>>,
    /// Held while one request fetches the page, so the others wait for its answer instead
    /// of all asking votes at once.
    fetching: tokio::sync::Mutex<()>,
}

#[derive(Clone)]
struct Kept {
    body: Bytes,
    generation: u64,
    at: Instant,
}

impl RankingsCache {
    /// Pages kept for `keep`; zero keeps nothing.
    pub(crate) fn new(keep: Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                keep,
                generation: AtomicU64::new(0),
                pages: Mutex::default(),
            }),
        }
    }

    /// Forgets every kept page: a vote just changed the rankings.
    pub(crate) fn invalidate(&self) {
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The kept body of `key`, or the one `fetch` answers (then kept).
    ///
    /// # Errors
    /// `fetch`'s error; nothing is kept then.
    pub(crate) async fn get_or_fetch<E>(
        &self,
        key: PageKey,
        fetch: impl Future<Output = Result<Bytes, E>>,
    ) -> Result<Bytes, E> {
        if self.inner.keep.is_zero() {
            return fetch.await;
        }
        let slot = self.slot(key);
        if let Some(body) = self.fresh(&slot) {
            return Ok(body);
        }
        let _fetching = slot.fetching.lock().await;
        if let Some(body) = self.fresh(&slot) {
            return Ok(body);
        }
        // Read before asking: a vote during the call leaves this answer already old.
        let generation = self.inner.generation.load(Ordering::Acquire);
        let body = fetch.await?;
        *lock(&slot.kept) = Some(Kept {
            body: body.clone(),
            generation,
            at: Instant::now(),
        });
        Ok(body)
    }

    fn slot(&self, key: PageKey) -> Arc<Slot> {
        let mut pages = lock(&self.inner.pages);
        if pages.len() >= MAX_PAGES && !pages.contains_key(&key) {
            pages.clear();
        }
        pages.entry(key).or_default().clone()
    }

    fn fresh(&self, slot: &Slot) -> Option<Bytes> {
        let kept = lock(&slot.kept).clone()?;
        let current = kept.generation == self.inner.generation.load(Ordering::Acquire);
        (current && kept.at.elapsed() < self.inner.keep).then_some(kept.body)
    }
}

// Values behind these locks are replaced whole: a panic cannot leave one half-written.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

    async fn fetch_counting(calls: &AtomicUsize, body: &'static str) -> Result<Bytes, ()> {
        calls.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(20)).await;
        Ok(Bytes::from_static(body.as_bytes()))
    }

    #[tokio::test]
    async fn concurrent_readers_of_one_page_cause_one_upstream_call() {
        let cache = RankingsCache::new(Duration::from_secs(60));
        let calls = AtomicUsize::new(0);

        let answers = futures::future::join_all(
            (0..50).map(|_| cache.get_or_fetch((20, 0, None), fetch_counting(&calls, "[1]"))),
        )
        .await;

        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(
            answers
                .iter()
                .all(|answer| answer.as_deref() == Ok(&b"[1]"[..]))
        );
    }

    #[tokio::test]
    async fn a_vote_makes_the_next_read_ask_again_and_pages_are_kept_apart() {
        let cache = RankingsCache::new(Duration::from_secs(60));
        let calls = AtomicUsize::new(0);
        let first = cache
            .get_or_fetch((20, 0, None), fetch_counting(&calls, "[1]"))
            .await;
        let city = cache
            .get_or_fetch(
                (20, 0, Some("Cali".to_owned())),
                fetch_counting(&calls, "[2]"),
            )
            .await;

        cache.invalidate();
        let after = cache
            .get_or_fetch((20, 0, None), fetch_counting(&calls, "[3]"))
            .await;

        assert_eq!(first.as_deref(), Ok(&b"[1]"[..]));
        assert_eq!(city.as_deref(), Ok(&b"[2]"[..]));
        assert_eq!(after.as_deref(), Ok(&b"[3]"[..]));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_page_is_asked_again_after_the_keep_time_and_errors_are_not_kept() {
        let cache = RankingsCache::new(Duration::from_millis(50));
        let calls = AtomicUsize::new(0);
        let failed = cache
            .get_or_fetch((20, 0, None), async { Err::<Bytes, _>("down") })
            .await;
        let _ = cache
            .get_or_fetch((20, 0, None), fetch_counting(&calls, "[1]"))
            .await;

        tokio::time::sleep(Duration::from_millis(80)).await;
        let later = cache
            .get_or_fetch((20, 0, None), fetch_counting(&calls, "[2]"))
            .await;

        assert_eq!(failed, Err("down"));
        assert_eq!(later.as_deref(), Ok(&b"[2]"[..]));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
}
