//! Revoked access tokens. `auth` writes one Redis key per logged-out token id, living until
//! the token would have expired anyway; every verifier only reads them.

use fred::{
    prelude::{Client, KeysInterface},
    types::{Expiration, SetOptions},
};

use crate::verifier::LEEWAY_SECS;

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
        // Verifiers accept a token up to LEEWAY_SECS past `exp`, so the mark must outlive it.
        let leeway = i64::try_from(LEEWAY_SECS).expect("the leeway is a few seconds");
        let ttl = (expires_at - now_unix + leeway).max(1);
        let set: Option<String> = self
            .client
            .set(
                self.key(token_id),
                1,
                Some(Expiration::EX(ttl)),
                Some(SetOptions::NX),
                false,
            )
            .await?;
        Ok(set.is_some())
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
