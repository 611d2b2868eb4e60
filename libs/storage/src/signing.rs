use std::time::Duration;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Why a media URL was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    /// Past its expiry.
    #[error("media link expired")]
    Expired,
    /// The signature does not match the key and expiry.
    #[error("media link signature invalid")]
    Invalid,
}

/// The parts of a signed media URL: `/media/<key>?expires=<unix>&sig=<base64url>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedUrl {
    /// Storage key, e.g. `processed/<id>.mp4`.
    pub key: String,
    /// Unix seconds after which the URL is refused.
    pub expires: i64,
    /// base64url HMAC-SHA256 of key and expiry.
    pub sig: String,
}

impl SignedUrl {
    /// The URL path and query, relative to the gateway.
    pub fn to_path(&self) -> String {
        format!(
            "/media/{}?expires={}&sig={}",
            self.key, self.expires, self.sig
        )
    }
}

/// Signs and verifies media URLs with a key shared by `videos` and the gateway.
#[derive(Clone)]
pub struct UrlSigner {
    secret: Vec<u8>,
    ttl: Duration,
}

impl std::fmt::Debug for UrlSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UrlSigner")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl UrlSigner {
    /// A signer whose URLs live for `ttl`.
    pub fn new(secret: impl Into<Vec<u8>>, ttl: Duration) -> Self {
        Self {
            secret: secret.into(),
            ttl,
        }
    }

    /// A URL for `key` valid from `now` (Unix seconds) for the configured lifetime.
    pub fn sign(&self, key: &str, now: i64) -> SignedUrl {
        let ttl = i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX);
        let expires = now.saturating_add(ttl);
        let sig = URL_SAFE_NO_PAD.encode(self.mac(key, expires).finalize().into_bytes());
        SignedUrl {
            key: key.to_owned(),
            expires,
            sig,
        }
    }

    /// Checks a URL's signature (in constant time) and expiry at `now`.
    ///
    /// # Errors
    /// [`SignatureError::Invalid`] for a wrong or undecodable signature,
    /// [`SignatureError::Expired`] for a genuine but expired URL.
    pub fn verify(
        &self,
        key: &str,
        expires: i64,
        sig: &str,
        now: i64,
    ) -> Result<(), SignatureError> {
        let sig = URL_SAFE_NO_PAD
            .decode(sig)
            .map_err(|_| SignatureError::Invalid)?;
        self.mac(key, expires)
            .verify_slice(&sig)
            .map_err(|_| SignatureError::Invalid)?;
        if now > expires {
            return Err(SignatureError::Expired);
        }
        Ok(())
    }

    fn mac(&self, key: &str, expires: i64) -> HmacSha256 {
        let mut mac =
            HmacSha256::new_from_slice(&self.secret).expect("HMAC accepts keys of any length");
        mac.update(key.as_bytes());
        mac.update(b"\n");
        mac.update(expires.to_string().as_bytes());
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "processed/0192f6a0-7c1e-7d2a-9b3c-4d5e6f708192.mp4";

    #[test]
    fn a_signed_url_verifies_until_it_expires() {
        let signer = UrlSigner::new(b"secret".to_vec(), Duration::from_secs(300));
        let url = signer.sign(KEY, 1_000);

        assert_eq!(url.expires, 1_300);
        assert_eq!(signer.verify(KEY, url.expires, &url.sig, 1_300), Ok(()));
        assert_eq!(
            signer.verify(KEY, url.expires, &url.sig, 1_301),
            Err(SignatureError::Expired)
        );
    }

    #[test]
    fn changing_key_expiry_signature_or_secret_invalidates_the_url() {
        let signer = UrlSigner::new(b"secret".to_vec(), Duration::from_secs(300));
        let other = UrlSigner::new(b"other".to_vec(), Duration::from_secs(300));
        let url = signer.sign(KEY, 1_000);

        let poster = "posters/0192f6a0-7c1e-7d2a-9b3c-4d5e6f708192.jpg";
        assert_eq!(
            signer.verify(poster, url.expires, &url.sig, 1_000),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            signer.verify(KEY, url.expires + 1, &url.sig, 1_000),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            signer.verify(KEY, url.expires, "AAAA", 1_000),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            signer.verify(KEY, url.expires, "not base64!", 1_000),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            other.verify(KEY, url.expires, &url.sig, 1_000),
            Err(SignatureError::Invalid)
        );
    }
}
