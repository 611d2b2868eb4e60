//! Argon2id password hashing off the async runtime, with a bound on how many hashes run at
//! once: each one takes ~19 MiB and tens of milliseconds of CPU, so a burst of log-ins must
//! queue rather than exhaust memory or the blocking thread pool.

use std::sync::Arc;

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use rand::{RngCore, rngs::OsRng};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

use crate::error::{Error, Result};

/// Hashes and verifies passwords.
#[derive(Clone)]
pub struct Passwords {
    params: Params,
    permits: Arc<Semaphore>,
    /// Verified against when the email is unknown, so that answer costs the same time as
    /// a wrong password and does not reveal which emails have accounts.
    dummy_hash: Arc<str>,
}

impl Passwords {
    /// OWASP's Argon2id baseline (19 MiB, 2 passes, 1 lane), with as many concurrent hashes
    /// as there are CPUs.
    ///
    /// # Errors
    /// When the dummy hash cannot be computed.
    pub async fn new() -> Result<Self> {
        let parallelism = std::thread::available_parallelism().map_or(1, usize::from);
        let mut passwords = Self {
            params: Params::DEFAULT,
            permits: Arc::new(Semaphore::new(parallelism)),
            dummy_hash: Arc::from(""),
        };
        let mut random = [0_u8; 32];
        OsRng.fill_bytes(&mut random);
        let dummy_password = SecretString::from(base64_url(&random));
        passwords.dummy_hash = Arc::from(passwords.hash(dummy_password).await?);
        Ok(passwords)
    }

    /// The PHC string (`$argon2id$v=19$m=..,t=..,p=..$salt$hash`) of `password` with a fresh
    /// random salt.
    ///
    /// # Errors
    /// [`Error::Hashing`] when Argon2 fails (it does not for valid parameters).
    pub async fn hash(&self, password: SecretString) -> Result<String> {
        let params = self.params.clone();
        self.run_blocking(move || {
            argon2(params)
                .hash_password(password.expose_secret().as_bytes())
                .map(|hash| hash.to_string())
                .map_err(|err| Error::Hashing(err.to_string()))
        })
        .await
    }

    /// Whether `password` matches `stored`. With no stored hash (unknown account) it checks
    /// the dummy hash and answers `false`, spending the same time.
    ///
    /// # Errors
    /// [`Error::Hashing`] when a stored hash is not a valid PHC string.
    pub async fn verify(&self, password: SecretString, stored: Option<String>) -> Result<bool> {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.to_string());
        let params = self.params.clone();
        let matches = self
            .run_blocking(move || {
                let parsed =
                    PasswordHash::new(&hash).map_err(|err| Error::Hashing(err.to_string()))?;
                Ok(argon2(params)
                    .verify_password(password.expose_secret().as_bytes(), &parsed)
                    .is_ok())
            })
            .await?;
        Ok(known && matches)
    }

    async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let _permit = self
            .permits
            .acquire()
            .await
            .expect("the semaphore lives as long as self and is never closed");
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || span.in_scope(work))
            .await
            .map_err(|err| Error::Hashing(format!("hashing task failed: {err}")))?
    }
}

fn argon2(params: Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_is_argon2id_and_verifies_only_the_right_password() {
        let passwords = Passwords::new().await.expect("hashing works");

        let hash = passwords
            .hash(SecretString::from("StrongPass123"))
            .await
            .expect("hashing works");

        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        let right = passwords.verify(SecretString::from("StrongPass123"), Some(hash.clone()));
        let wrong = passwords.verify(SecretString::from("StrongPass124"), Some(hash));
        assert!(right.await.expect("valid hash"));
        assert!(!wrong.await.expect("valid hash"));
    }

    #[tokio::test]
    async fn unknown_account_never_verifies() {
        let passwords = Passwords::new().await.expect("hashing works");

        let verified = passwords.verify(SecretString::from("anything"), None).await;

        assert!(!verified.expect("the dummy hash is valid"));
    }
}
