//! Log-in throttling: failed attempts are counted in Redis per account (normalised email)
//! and per client address, each in a fixed window opened by its first failure. At the
//! limit every further attempt is refused before the password is checked, right password
//! or not, until the window closes; a successful log-in clears the account's count.
//!
//! Redis trouble fails open (the attempt proceeds, a warning is logged): Argon2 still bounds
//! the guessing rate, and an outage of the counters should not lock every player out.
//!
//! TODO: the check and the count are separate steps, so a client firing many attempts at
//! once can get a few more than the limit checked before the count catches up — at most
//! the number of attempts in flight together, which the gateway's request limits bound.

use std::{net::IpAddr, time::Duration};

use fred::{
    prelude::{Client, KeysInterface, TransactionInterface},
    types::ExpireOptions,
};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Longest a counter operation may hold up a log-in before it is skipped.
const REDIS_TIMEOUT: Duration = Duration::from_millis(500);

/// How many failures a window allows, and how long it lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub max_failures: u32,
    pub period: Duration,
}

/// The two limits of log-in throttling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimits {
    pub account: Window,
    pub address: Window,
}

/// One log-in attempt's counters: its account and, when known, its client address.
pub struct Attempt {
    counters: Vec<(String, Window)>,
}

/// The failure counters in Redis.
#[derive(Clone)]
pub struct LoginThrottle {
    client: Client,
    prefix: String,
    limits: LoginLimits,
}

impl LoginThrottle {
    /// Counters in `client` under `<prefix>:auth:login:…`.
    pub fn new(client: Client, prefix: &str, limits: LoginLimits) -> Self {
        Self {
            client,
            prefix: prefix.to_owned(),
            limits,
        }
    }

    /// The counters of an attempt on `email_normalized` from `address`. The email is
    /// hashed so that Redis never holds addresses of players.
    pub fn attempt(&self, email_normalized: &str, address: Option<IpAddr>) -> Attempt {
        let digest = Sha256::digest(email_normalized.as_bytes());
        let account = format!("{}:auth:login:account:{digest:x}", self.prefix);
        let mut counters = vec![(account, self.limits.account)];
        if let Some(address) = address {
            let key = format!("{}:auth:login:address:{address}", self.prefix);
            counters.push((key, self.limits.address));
        }
        Attempt { counters }
    }

    /// Refuses the attempt when one of its counters is at its limit.
    ///
    /// # Errors
    /// [`Error::Throttled`] with the time until the longest blocking window closes.
    pub async fn check(&self, attempt: &Attempt) -> Result<()> {
        let mut retry_after = None;
        for (key, window) in &attempt.counters {
            let Some((failures, ttl_secs)) = self.read(key).await else {
                continue;
            };
            if failures >= u64::from(window.max_failures) {
                // A counter without expiry cannot come from `record_failure`; wait one window.
                let wait = u64::try_from(ttl_secs)
                    .ok()
                    .filter(|secs| *secs > 0)
                    .map_or(window.period, Duration::from_secs);
                retry_after = retry_after.max(Some(wait));
            }
        }
        match retry_after {
            Some(retry_after) => Err(Error::Throttled { retry_after }),
            None => Ok(()),
        }
    }

    /// Counts a failed attempt on each of its counters.
    pub async fn record_failure(&self, attempt: &Attempt) {
        for (key, window) in &attempt.counters {
            let transaction = self.client.multi();
            let period = i64::try_from(window.period.as_secs()).unwrap_or(i64::MAX);
            let queued = async {
                let () = transaction.incr(key).await?;
                // NX: the window runs from the first failure; later ones do not extend it.
                let () = transaction
                    .expire(key, period, Some(ExpireOptions::NX))
                    .await?;
                transaction.exec::<()>(true).await
            };
            if let Err(failure) = self.bounded(queued).await {
                tracing::warn!(error = %failure, "cannot count a failed log-in; not throttling it");
            }
        }
    }

    /// Clears the account's failures after a successful log-in. The address count stays:
    /// one valid account must not reset an address that is guessing at others.
    pub async fn reset_account(&self, attempt: &Attempt) {
        let Some((account, _)) = attempt.counters.first() else {
            return;
        };
        if let Err(failure) = self.bounded(self.client.del::<(), _>(account)).await {
            tracing::warn!(error = %failure, "cannot reset the log-in failure count");
        }
    }

    /// The failure count and remaining seconds of `key`, or `None` when Redis fails.
    async fn read(&self, key: &str) -> Option<(u64, i64)> {
        let read = async {
            let failures: Option<u64> = self.client.get(key).await?;
            let ttl: i64 = self.client.ttl(key).await?;
            Ok((failures.unwrap_or(0), ttl))
        };
        match self.bounded(read).await {
            Ok(counter) => Some(counter),
            Err(failure) => {
                tracing::warn!(error = %failure, "cannot read log-in failures; not throttling");
                None
            }
        }
    }

    async fn bounded<T>(
        &self,
        operation: impl Future<Output = Result<T, fred::error::Error>>,
    ) -> Result<T, String> {
        match tokio::time::timeout(REDIS_TIMEOUT, operation).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => Err(err.to_string()),
            Err(_elapsed) => Err(format!("no answer within {} ms", REDIS_TIMEOUT.as_millis())),
        }
    }
}
