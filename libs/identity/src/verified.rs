//! Tokens whose signature and claims already passed, so a caller presenting the same token
//! again costs a map look-up instead of an Ed25519 verification. Only the time claims are
//! checked again; revocation is checked on every request by the verifier itself.

use std::{collections::HashMap, sync::Mutex};

use crate::{Identity, verifier::LEEWAY_SECS};

/// Tokens remembered at most: a few hundred bytes each.
const CAPACITY: usize = 10_000;

/// What a verified token established.
#[derive(Debug, Clone)]
struct Verified {
    identity: Identity,
    not_before: i64,
}

/// Verified tokens by their full text (never a hash of it, so no collision can let a
/// forged token borrow another's result).
#[derive(Debug, Default)]
pub(crate) struct VerifiedTokens {
    tokens: Mutex<HashMap<String, Verified>>,
}

impl VerifiedTokens {
    fn tokens(&self) -> std::sync::MutexGuard<'_, HashMap<String, Verified>> {
        // Entries are inserted whole; a panic elsewhere cannot leave one half-written.
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The identity of `token` if it was verified before and its time claims still hold at
    /// `now` (Unix seconds) with the verifier's leeway.
    pub(crate) fn get(&self, token: &str, now: i64) -> Option<Identity> {
        let tokens = self.tokens();
        let verified = tokens.get(token)?;
        let leeway = LEEWAY_SECS.cast_signed();
        let in_time =
            now <= verified.identity.expires_at + leeway && now >= verified.not_before - leeway;
        in_time.then(|| verified.identity.clone())
    }

    /// Remembers a token that passed full verification.
    pub(crate) fn insert(&self, token: &str, identity: Identity, not_before: i64, now: i64) {
        let mut tokens = self.tokens();
        if tokens.len() >= CAPACITY {
            let leeway = LEEWAY_SECS.cast_signed();
            tokens.retain(|_, verified| now <= verified.identity.expires_at + leeway);
            if tokens.len() >= CAPACITY {
                tokens.clear();
            }
        }
        tokens.insert(
            token.to_owned(),
            Verified {
                identity,
                not_before,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn identity(expires_at: i64) -> Identity {
        Identity {
            user_id: Uuid::nil(),
            token_id: "t1".to_owned(),
            expires_at,
        }
    }

    #[test]
    fn a_remembered_token_is_refused_once_past_expiry_and_leeway() {
        let tokens = VerifiedTokens::default();
        tokens.insert("a.b.c", identity(1_000), 900, 950);

        assert!(tokens.get("a.b.c", 1_005).is_some());
        assert!(tokens.get("a.b.c", 1_006).is_none());
        assert!(tokens.get("a.b.c", 894).is_none());
        assert!(tokens.get("a.b.x", 950).is_none());
    }

    #[test]
    fn a_full_memory_drops_expired_tokens_first() {
        let tokens = VerifiedTokens::default();
        for index in 0..CAPACITY {
            tokens.insert(&format!("old{index}"), identity(100), 0, 50);
        }
        tokens.insert("fresh", identity(10_000), 0, 500);

        assert_eq!(tokens.tokens().len(), 1);
        assert!(tokens.get("fresh", 500).is_some());
    }
}
