//! Per-user vote rate limit: at most `max` vote attempts (accepted, duplicate or refused)
//! per user in a fixed window, counted in Redis so every replica shares the count. It
//! slows a scripted account probing many videos; each video counts a vote once anyway.
//! When Redis does not answer, votes are let through: losing the limit for a while is
//! better than refusing every voter.

use std::time::Duration;

use fred::{
    interfaces::{ClientLike as _, LuaInterface as _},
    prelude::{Client, Options},
};

use crate::{
    error::{Error, Result},
    ids::UserId,
};

/// Longest the check may take before the vote goes ahead unchecked.
const CHECK_TIMEOUT: Duration = Duration::from_millis(250);

// Returns -1 when allowed, else the milliseconds until the window ends.
const HIT: &str = r"
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
if count > tonumber(ARGV[2]) then return ttl end
return -1
";

/// The vote rate limit of one deployment.
#[derive(Clone)]
pub struct VoteLimiter {
    client: Client,
    prefix: String,
    max: u32,
    window: Duration,
}

impl VoteLimiter {
    /// At most `max` attempts per `window` per user; `max` 0 turns the limit off.
    pub fn new(client: Client, prefix: &str, max: u32, window: Duration) -> Self {
        Self {
            client,
            prefix: prefix.to_owned(),
            max,
            window,
        }
    }

    /// Counts one attempt of `voter`.
    ///
    /// # Errors
    /// [`Error::RateLimited`] past the limit, with the whole seconds until the window ends.
    pub async fn check(&self, voter: UserId) -> Result<()> {
        if self.max == 0 {
            return Ok(());
        }
        let key = format!("{}:votes:rate:{voter}", self.prefix);
        let window_ms = u64::try_from(self.window.as_millis()).unwrap_or(u64::MAX);
        // One write at most, and none while the connection is down: by default the client
        // writes a command again after a reconnect, and a replayed INCR counts the same
        // attempt twice. In a CI run of the vote storm, voters with 40 attempts were refused
        // under a limit of 60 once Redis had been stopped and started again.
        let once = Options {
            max_attempts: Some(1),
            timeout: Some(CHECK_TIMEOUT),
            fail_fast: true,
            ..Options::default()
        };
        let client = self.client.with_options(&once);
        let hit = client.eval::<i64, _, _, _>(HIT, key, vec![window_ms, u64::from(self.max)]);
        match tokio::time::timeout(CHECK_TIMEOUT, hit).await {
            Ok(Ok(wait_ms)) if wait_ms >= 0 => Err(Error::RateLimited {
                retry_after_secs: u64::try_from(wait_ms).unwrap_or(0).div_ceil(1000).max(1),
            }),
            Ok(Ok(_)) => Ok(()),
            Ok(Err(err)) => {
                tracing::debug!(error = %err, "vote rate limit unchecked: redis failed");
                Ok(())
            }
            Err(_) => {
                tracing::debug!("vote rate limit unchecked: redis too slow");
                Ok(())
            }
        }
    }
}
