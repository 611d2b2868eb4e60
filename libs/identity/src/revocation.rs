//! Revoked access tokens. `auth` writes one Redis key per logged-out token id, living until
//! the token would have expired anyway, and announces it on a channel in the same script;
//! verifiers keep a copy fed by the announcements ([`crate::mirror`]) and read the keys
//! only while that copy is not complete.

use fred::{
    interfaces::{KeysInterface as _, LuaInterface as _},
    prelude::Client,
};

use crate::verifier::LEEWAY_SECS;

/// How long a mark without an end time (written before marks carried one) is kept in a
/// verifier's copy: longer than any access token lives (`auth` allows up to 7 days).
pub(crate) const LONGEST_MARK_SECS: i64 = 8 * 24 * 3600;

/// When the revocation mark of a token expiring at `expires_at` (Unix seconds) may go:
/// verifiers accept a token up to [`LEEWAY_SECS`] past `exp`, so the mark outlives it.
pub(crate) fn mark_end(expires_at: i64) -> i64 {
    let leeway = i64::try_from(LEEWAY_SECS).unwrap_or(i64::MAX);
    expires_at.saturating_add(leeway)
}

// KEYS: the mark. ARGV: its end (Unix seconds, the value), its TTL, channel, announcement.
const REVOKE: &str = r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  redis.call('PUBLISH', ARGV[3], ARGV[4])
  return 1
end
return 0
";

/// What `auth` announces for one revocation: `<token id> <end in Unix seconds>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Announcement {
    pub(crate) token_id: String,
    pub(crate) until_unix: i64,
}

impl Announcement {
    fn text(&self) -> String {
        format!("{} {}", self.token_id, self.until_unix)
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        let (token_id, until) = text.split_once(' ')?;
        Some(Self {
            token_id: token_id.to_owned(),
            until_unix: until.parse().ok()?,
        })
    }
}

/// The revocation list of one deployment, under a Redis key prefix (`anb` by default) shared
/// by `auth` and every verifier.
#[derive(Clone)]
pub struct Revocations {
    client: Client,
    prefix: String,
}

impl Revocations {
    /// The list kept in `client` under keys `<prefix>:auth:revoked:<token id>`.
    pub fn new(client: Client, prefix: &str) -> Self {
        Self {
            client,
            prefix: prefix.to_owned(),
        }
    }

    fn key(&self, token_id: &str) -> String {
        format!("{}:auth:revoked:{token_id}", self.prefix)
    }

    pub(crate) fn key_pattern(&self) -> String {
        format!("{}:auth:revoked:*", self.prefix)
    }

    pub(crate) fn token_id_of<'k>(&self, key: &'k str) -> Option<&'k str> {
        key.strip_prefix(&self.prefix)?
            .strip_prefix(":auth:revoked:")
    }

    pub(crate) fn channel(&self) -> String {
        format!("{}:auth:revocations", self.prefix)
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// Revokes the token `token_id`, which expires at `expires_at` (Unix seconds), until it
    /// can no longer be accepted anyway. Returns `false` when it was already revoked, so
    /// two concurrent log-outs of one token cannot both succeed.
    ///
    /// # Errors
    /// Redis errors; the token is then not revoked.
    pub async fn revoke(
        &self,
        token_id: &str,
        expires_at: i64,
        now_unix: i64,
    ) -> Result<bool, fred::error::Error> {
        let ttl = (mark_end(expires_at) - now_unix).max(1);
        let announcement = Announcement {
            token_id: token_id.to_owned(),
            until_unix: now_unix + ttl,
        };
        let written: i64 = self
            .client
            .eval(
                REVOKE,
                vec![self.key(token_id)],
                vec![
                    announcement.until_unix.to_string(),
                    ttl.to_string(),
                    self.channel(),
                    announcement.text(),
                ],
            )
            .await?;
        Ok(written == 1)
    }

    /// Whether the token `token_id` was revoked.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn is_revoked(&self, token_id: &str) -> Result<bool, fred::error::Error> {
        let found: i64 = self.client.exists(self.key(token_id)).await?;
        Ok(found > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_announcement_reads_back_as_written() {
        let sent = Announcement {
            token_id: "0190f5c2-7b1e-7c3a-9a41-5f2d8c1e0a11".to_owned(),
            until_unix: 1_800_000_000,
        };

        assert_eq!(Announcement::parse(&sent.text()), Some(sent));
        assert_eq!(Announcement::parse("no-end-time"), None);
        assert_eq!(Announcement::parse("id soon"), None);
    }
}
