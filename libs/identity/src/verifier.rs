use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use anb_proto::auth::v1::{
    GetPublicKeysRequest, PublicKey, auth_service_client::AuthServiceClient,
};
use fred::prelude::Client;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind};
use tokio::sync::{Mutex, RwLock};
use tonic::{metadata::MetadataMap, transport::Channel};
use uuid::Uuid;

use crate::{
    AUDIENCE, Claims, ISSUER, Identity, Revocations, mirror::RevocationMirror,
    revocation::mark_end, verified::VerifiedTokens,
};

/// Clock skew tolerated on `exp`, `nbf` and `iat`.
pub(crate) const LEEWAY_SECS: u64 = 5;
/// Longest a revocation look-up may hold up a request before the token is let through.
const REVOCATION_CHECK_TIMEOUT: Duration = Duration::from_millis(500);
/// An unknown `kid` refreshes the key set at most this often, so forged kids cannot turn
/// every request into a call to `auth`.
const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(10);

/// Why a token was refused. Each variant is a stable reason a client may see.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    /// No `authorization: Bearer` credential.
    #[error("missing bearer token")]
    Missing,
    /// Not a well-formed JWS, or an algorithm other than EdDSA.
    #[error("malformed token")]
    Malformed,
    /// Signed by a key `auth` does not publish.
    #[error("token signed by an unknown key")]
    UnknownKey,
    /// The signature does not match.
    #[error("invalid token signature")]
    BadSignature,
    /// Past `exp`.
    #[error("token expired")]
    Expired,
    /// Before `nbf`.
    #[error("token not yet valid")]
    NotYetValid,
    /// A required claim is missing or wrong (issuer, audience, subject).
    #[error("invalid token claims")]
    InvalidClaims,
    /// The token was revoked by log-out.
    #[error("token revoked")]
    Revoked,
    /// The verification keys could not be fetched from `auth`.
    #[error("token keys unavailable")]
    KeysUnavailable,
}

impl TokenError {
    /// A stable machine-readable reason, for error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "missing_token",
            Self::Malformed => "malformed_token",
            Self::UnknownKey => "unknown_key",
            Self::BadSignature => "bad_signature",
            Self::Expired => "token_expired",
            Self::NotYetValid => "token_not_yet_valid",
            Self::InvalidClaims => "invalid_claims",
            Self::Revoked => "token_revoked",
            Self::KeysUnavailable => "keys_unavailable",
        }
    }
}

impl From<TokenError> for tonic::Status {
    fn from(err: TokenError) -> Self {
        match err {
            TokenError::KeysUnavailable => tonic::Status::unavailable(err.to_string()),
            _ => tonic::Status::unauthenticated(err.to_string()),
        }
    }
}

/// The token in `authorization: Bearer <token>` metadata, if any.
pub fn bearer_token(metadata: &MetadataMap) -> Option<&str> {
    let value = metadata.get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

/// Verifies access tokens against the public keys `auth` publishes, fetched lazily and
/// refreshed when a token names a key not seen yet (key rotation), and, when built
/// [`Self::with_revocations`], refuses logged-out tokens.
pub struct TokenVerifier {
    source: Option<Mutex<AuthServiceClient<Channel>>>,
    keys: RwLock<HashMap<String, DecodingKey>>,
    last_refresh: Mutex<Option<Instant>>,
    validation: Validation,
    revocations: Option<Revocations>,
    mirror: Option<Arc<RevocationMirror>>,
    verified: VerifiedTokens,
}

impl TokenVerifier {
    /// A verifier that fetches keys from the `auth` service behind `channel`.
    pub fn from_auth(channel: Channel) -> Self {
        Self::build(
            Some(Mutex::new(AuthServiceClient::new(channel))),
            HashMap::new(),
        )
    }

    /// A verifier with a fixed key set (used inside `auth` itself).
    ///
    /// # Errors
    /// [`TokenError::Malformed`] when a key is not a valid Ed25519 public key.
    pub fn from_keys(keys: &[PublicKey]) -> Result<Self, TokenError> {
        Ok(Self::build(None, decode_keys(keys)?))
    }

    fn build(
        source: Option<Mutex<AuthServiceClient<Channel>>>,
        keys: HashMap<String, DecodingKey>,
    ) -> Self {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "sub", "iss", "aud"]);
        Self {
            source,
            keys: RwLock::new(keys),
            last_refresh: Mutex::new(None),
            validation,
            revocations: None,
            mirror: None,
            verified: VerifiedTokens::default(),
        }
    }

    /// The same verifier, also refusing tokens revoked by log-out ([`TokenError::Revoked`])
    /// as listed in `client` under `prefix` (see [`Revocations`]).
    ///
    /// The list is followed into memory by a task on the current Tokio runtime (so this
    /// must be called inside one); while the copy is incomplete, or its connection is down,
    /// each check asks Redis. That check fails open: when Redis does not answer within
    /// 500 ms the token is accepted and a warning is logged. Tokens live at most an hour by
    /// default, so a Redis outage briefly lets logged-out tokens back in rather than locking
    /// every player out.
    #[must_use]
    pub fn with_revocations(mut self, client: Client, prefix: &str) -> Self {
        let list = Revocations::new(client, prefix);
        self.mirror = Some(RevocationMirror::follow(&list));
        self.revocations = Some(list);
        self
    }

    /// Refuses `identity`'s token from now on in this process, for a caller that just had
    /// it revoked (the gateway relaying a log-out): its next request must not slip in
    /// before `auth`'s announcement arrives.
    pub fn note_revoked(&self, identity: &Identity) {
        if let Some(mirror) = &self.mirror {
            mirror.note(&identity.token_id, mark_end(identity.expires_at));
        }
    }

    /// Whether the in-memory copy of the revocation list is complete and followed, so
    /// checks need no Redis round trip.
    pub fn revocations_mirrored(&self) -> bool {
        self.mirror
            .as_ref()
            .is_some_and(|mirror| mirror.is_current())
    }

    /// Verifies the bearer token of a gRPC request.
    ///
    /// # Errors
    /// The [`TokenError`] that explains the refusal.
    pub async fn authenticate<T>(
        &self,
        request: &tonic::Request<T>,
    ) -> Result<Identity, TokenError> {
        let token = bearer_token(request.metadata()).ok_or(TokenError::Missing)?;
        self.verify(token).await
    }

    /// Verifies one token: signature by a published key, EdDSA only, issuer, audience,
    /// `exp` and `nbf` within the leeway, and not revoked.
    ///
    /// # Errors
    /// The [`TokenError`] that explains the refusal.
    pub async fn verify(&self, token: &str) -> Result<Identity, TokenError> {
        let now = chrono::Utc::now().timestamp();
        let identity = match self.verified.get(token, now) {
            Some(identity) => identity,
            None => self.verify_signed(token, now).await?,
        };
        if self.is_revoked(&identity.token_id, now).await {
            return Err(TokenError::Revoked);
        }
        Ok(identity)
    }

    async fn verify_signed(&self, token: &str, now: i64) -> Result<Identity, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::Malformed);
        }
        let kid = header.kid.ok_or(TokenError::UnknownKey)?;
        let key = self.key(&kid).await?;

        let data = jsonwebtoken::decode::<Claims>(token, &key, &self.validation)
            .map_err(|err| classify(err.kind()))?;
        let user_id = Uuid::parse_str(&data.claims.sub).map_err(|_| TokenError::InvalidClaims)?;
        let identity = Identity {
            user_id,
            token_id: data.claims.jti,
            expires_at: data.claims.exp,
        };
        self.verified
            .insert(token, identity.clone(), data.claims.nbf, now);
        Ok(identity)
    }

    async fn is_revoked(&self, token_id: &str, now_unix: i64) -> bool {
        let Some(revocations) = &self.revocations else {
            return false;
        };
        if let Some(mirror) = &self.mirror
            && let Some(revoked) = mirror.lookup(token_id, now_unix)
        {
            return revoked;
        }
        let checked =
            tokio::time::timeout(REVOCATION_CHECK_TIMEOUT, revocations.is_revoked(token_id)).await;
        match checked {
            Ok(Ok(revoked)) => revoked,
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "cannot check token revocation; accepting the token");
                false
            }
            Err(_elapsed) => {
                tracing::warn!(
                    timeout_ms = REVOCATION_CHECK_TIMEOUT.as_millis(),
                    "token revocation check timed out; accepting the token"
                );
                false
            }
        }
    }

    async fn key(&self, kid: &str) -> Result<DecodingKey, TokenError> {
        if let Some(key) = self.keys.read().await.get(kid) {
            return Ok(key.clone());
        }
        self.refresh().await?;
        self.keys
            .read()
            .await
            .get(kid)
            .cloned()
            .ok_or(TokenError::UnknownKey)
    }

    async fn refresh(&self) -> Result<(), TokenError> {
        let Some(source) = &self.source else {
            return Ok(());
        };
        let mut last = self.last_refresh.lock().await;
        if last.is_some_and(|at| at.elapsed() < MIN_REFRESH_INTERVAL) {
            return Ok(());
        }
        let response = source
            .lock()
            .await
            .get_public_keys(GetPublicKeysRequest {})
            .await
            .map_err(|status| {
                tracing::warn!(code = ?status.code(), "cannot fetch token keys from auth");
                TokenError::KeysUnavailable
            })?;
        let fresh = decode_keys(&response.into_inner().keys)?;
        *self.keys.write().await = fresh;
        *last = Some(Instant::now());
        Ok(())
    }
}

fn decode_keys(keys: &[PublicKey]) -> Result<HashMap<String, DecodingKey>, TokenError> {
    keys.iter()
        .filter(|key| key.algorithm == "EdDSA")
        .map(|key| {
            DecodingKey::from_ed_components(&key.x)
                .map(|decoded| (key.kid.clone(), decoded))
                .map_err(|_| TokenError::Malformed)
        })
        .collect()
}

fn classify(kind: &ErrorKind) -> TokenError {
    match kind {
        ErrorKind::ExpiredSignature => TokenError::Expired,
        ErrorKind::ImmatureSignature => TokenError::NotYetValid,
        ErrorKind::InvalidSignature => TokenError::BadSignature,
        ErrorKind::InvalidIssuer
        | ErrorKind::InvalidAudience
        | ErrorKind::InvalidSubject
        | ErrorKind::MissingRequiredClaim(_) => TokenError::InvalidClaims,
        _ => TokenError::Malformed,
    }
}

#[cfg(test)]
mod tests {
    use tonic::metadata::MetadataValue;

    use super::*;

    #[test]
    fn bearer_token_accepts_any_scheme_case_and_rejects_other_schemes() {
        let mut metadata = MetadataMap::new();
        assert_eq!(bearer_token(&metadata), None);

        metadata.insert(
            "authorization",
            MetadataValue::from_static("bearer abc.def.ghi"),
        );
        assert_eq!(bearer_token(&metadata), Some("abc.def.ghi"));

        metadata.insert(
            "authorization",
            MetadataValue::from_static("Basic dXNlcjpwYXNz"),
        );
        assert_eq!(bearer_token(&metadata), None);

        metadata.insert("authorization", MetadataValue::from_static("Bearer "));
        assert_eq!(bearer_token(&metadata), None);
    }
}
