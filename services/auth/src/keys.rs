//! The Ed25519 key that signs access tokens. It lives in a PKCS#8 PEM file readable only by
//! the service, so tokens stay valid across restarts; its public half is published with a
//! `kid` derived from the key itself, so every replica sharing the file names it alike.

use std::{
    fs::{self, DirBuilder, OpenOptions},
    io::{ErrorKind, Write},
    os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt},
    path::{Path, PathBuf},
};

use anb_proto::auth::v1::PublicKey;
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, spki::der::pem::LineEnding};
use jsonwebtoken::EncodingKey;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Bytes of the public key's SHA-256 kept in the `kid`: 96 bits, no accidental clashes.
const KID_HASH_BYTES: usize = 12;

/// The current token signing key.
pub struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    public: PublicKey,
}

impl SigningKey {
    /// Loads the key in `path`; when the file does not exist and `generate` is set, creates
    /// a fresh key there first (mode 0600, parent folders 0700).
    ///
    /// # Errors
    /// [`Error::SigningKeyMissing`] without the file and without `generate`;
    /// [`Error::SigningKeyExposed`] when group or others may read it;
    /// [`Error::SigningKeyInvalid`] when it is not an Ed25519 PKCS#8 PEM key;
    /// [`Error::SigningKeyIo`] on file system errors.
    pub fn load_or_generate(path: &Path, generate: bool) -> Result<Self> {
        match read_private_file(path) {
            Ok(pem) => Self::from_pem(path, &pem),
            Err(Error::SigningKeyIo { source, .. })
                if source.kind() == ErrorKind::NotFound && generate =>
            {
                create_key_file(path)?;
                let pem = read_private_file(path)?;
                let key = Self::from_pem(path, &pem)?;
                tracing::info!(kid = %key.kid, path = %path.display(), "generated a token signing key");
                Ok(key)
            }
            Err(Error::SigningKeyIo { source, .. }) if source.kind() == ErrorKind::NotFound => {
                Err(Error::SigningKeyMissing {
                    path: path.to_owned(),
                })
            }
            Err(err) => Err(err),
        }
    }

    fn from_pem(path: &Path, pem: &str) -> Result<Self> {
        let invalid = || Error::SigningKeyInvalid {
            path: path.to_owned(),
        };
        let key = ed25519_dalek::SigningKey::from_pkcs8_pem(pem).map_err(|_| invalid())?;
        let der = key.to_pkcs8_der().map_err(|_| invalid())?;
        let public_bytes = key.verifying_key().to_bytes();

        Ok(Self {
            kid: kid_of(&public_bytes),
            encoding: EncodingKey::from_ed_der(der.as_bytes()),
            public: PublicKey {
                kid: kid_of(&public_bytes),
                algorithm: "EdDSA".to_owned(),
                x: URL_SAFE_NO_PAD.encode(public_bytes),
            },
        })
    }

    /// The `kid` header of the tokens this key signs.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The key in the form jsonwebtoken signs with.
    pub fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }

    /// The public half as published by GetPublicKeys.
    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }
}

/// A short, stable name of a public key: its SHA-256, truncated, base64url.
fn kid_of(public_key: &[u8; 32]) -> String {
    let digest = Sha256::digest(public_key);
    URL_SAFE_NO_PAD.encode(&digest[..KID_HASH_BYTES])
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::SigningKeyIo {
        path: path.to_owned(),
        source,
    }
}

fn read_private_file(path: &Path) -> Result<String> {
    let metadata = fs::metadata(path).map_err(io_error(path))?;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Error::SigningKeyExposed {
            path: path.to_owned(),
            mode,
        });
    }
    fs::read_to_string(path).map_err(io_error(path))
}

/// Writes a new key to a temporary file and hard-links it into place: the link fails if
/// another process created the key meanwhile, so concurrent starts agree on one key and
/// nobody ever reads a half-written file.
fn create_key_file(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)
            .map_err(io_error(parent))?;
    }
    let key = ed25519_dalek::SigningKey::generate(&mut OsRng);
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .expect("a freshly generated Ed25519 key always encodes as PKCS#8");

    let temporary = temporary_path(path);
    let written = write_new_private_file(&temporary, pem.as_bytes());
    let linked = written.and_then(|()| match fs::hard_link(&temporary, path) {
        Err(err) if err.kind() != ErrorKind::AlreadyExists => Err(io_error(path)(err)),
        _ => Ok(()),
    });
    // Best effort: a leftover temporary file holds a key nobody uses.
    let _ = fs::remove_file(&temporary);
    linked
}

fn write_new_private_file(path: &Path, contents: &[u8]) -> Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io_error(path))?;
    file.write_all(contents).map_err(io_error(path))?;
    file.sync_all().map_err(io_error(path))
}

fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{}", uuid::Uuid::new_v4().simple()));
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_key_is_private_and_loads_back_with_the_same_kid() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let path = folder.path().join("keys/signing.pem");

        let first = SigningKey::load_or_generate(&path, true).expect("key generated");
        let second = SigningKey::load_or_generate(&path, false).expect("key loaded");

        let mode = fs::metadata(&path)
            .expect("file exists")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(first.kid(), second.kid());
        assert_eq!(first.public_key(), second.public_key());
        assert_eq!(first.kid().len(), 16);
        assert_eq!(
            URL_SAFE_NO_PAD
                .decode(&first.public_key().x)
                .map(|x| x.len()),
            Ok(32)
        );
    }

    #[test]
    fn missing_key_without_generation_is_an_error() {
        let folder = tempfile::tempdir().expect("temporary folder");

        let result = SigningKey::load_or_generate(&folder.path().join("none.pem"), false);

        assert!(matches!(result, Err(Error::SigningKeyMissing { .. })));
    }

    #[test]
    fn key_readable_by_others_is_refused() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let path = folder.path().join("signing.pem");
        SigningKey::load_or_generate(&path, true).expect("key generated");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");

        let result = SigningKey::load_or_generate(&path, true);

        assert!(matches!(
            result,
            Err(Error::SigningKeyExposed { mode: 0o644, .. })
        ));
    }

    #[test]
    fn file_that_is_not_a_key_is_refused() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let path = folder.path().join("signing.pem");
        write_new_private_file(&path, b"not a key").expect("written");

        let result = SigningKey::load_or_generate(&path, true);

        assert!(matches!(result, Err(Error::SigningKeyInvalid { .. })));
    }
}
