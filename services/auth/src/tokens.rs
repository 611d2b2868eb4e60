//! Access tokens: EdDSA-signed JWTs carrying [`anb_identity::Claims`], verified here with
//! the same [`TokenVerifier`] every other service uses.

use std::time::Duration;

use anb_identity::{AUDIENCE, Claims, ISSUER, Identity, TokenVerifier};
use anb_proto::auth::v1::PublicKey;
use jsonwebtoken::{Algorithm, Header};

use crate::{
    error::{Error, Result},
    ids::UserId,
    keys::SigningKey,
};

/// A signed token and its lifetime.
#[derive(Debug)]
pub struct IssuedToken {
    pub token: String,
    pub expires_in: Duration,
}

/// Signs and verifies access tokens with auth's own key.
pub struct Tokens {
    key: SigningKey,
    verifier: TokenVerifier,
    ttl: Duration,
}

impl Tokens {
    /// Tokens signed by `key` that live for `ttl`.
    ///
    /// # Errors
    /// [`Error::Token`] when the key's public half cannot be used for verification.
    pub fn new(key: SigningKey, ttl: Duration) -> Result<Self> {
        let verifier = TokenVerifier::from_keys(&[key.public_key()])?;
        Ok(Self { key, verifier, ttl })
    }

    /// The same tokens, also refusing those revoked in `revocations`' Redis.
    #[must_use]
    pub fn with_revocations(mut self, client: fred::prelude::Client, prefix: &str) -> Self {
        self.verifier = self.verifier.with_revocations(client, prefix);
        self
    }

    /// A token for `user_id`, valid from `now_unix` for the configured lifetime.
    ///
    /// # Errors
    /// [`Error::Signing`] when signing fails (not expected with a loaded key).
    pub fn issue(&self, user_id: UserId, now_unix: i64) -> Result<IssuedToken> {
        let ttl_secs = i64::try_from(self.ttl.as_secs()).expect("the TTL is validated to a week");
        let claims = Claims {
            sub: user_id.to_string(),
            jti: uuid::Uuid::new_v4().to_string(),
            iat: now_unix,
            nbf: now_unix,
            exp: now_unix + ttl_secs,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.key.kid().to_owned());

        let token = jsonwebtoken::encode(&header, &claims, self.key.encoding_key())
            .map_err(Error::Signing)?;
        Ok(IssuedToken {
            token,
            expires_in: self.ttl,
        })
    }

    /// Verifies the bearer token of `request`.
    ///
    /// # Errors
    /// [`Error::Token`] with the reason the token was refused.
    pub async fn authenticate<T>(&self, request: &tonic::Request<T>) -> Result<Identity> {
        Ok(self.verifier.authenticate(request).await?)
    }

    /// The keys that verify current tokens, for GetPublicKeys.
    ///
    /// TODO: only the current key is published — replacing AUTH_SIGNING_KEY_FILE logs every
    /// player out at once; publishing retired public keys until their tokens expire would
    /// make rotation seamless.
    pub fn public_keys(&self) -> Vec<PublicKey> {
        vec![self.key.public_key()]
    }
}
