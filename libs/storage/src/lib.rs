//! Where media lives and who may fetch it. Every file sits under one storage root (the NFS
//! mount in production, a local folder in development) at a key derived from the video id,
//! never from a client's file name. Media is fetched through short-lived URLs that `videos`
//! signs and the gateway verifies with a shared HMAC key.
#![warn(missing_docs)]

mod layout;
mod signing;

pub use layout::{MediaKind, Storage};
pub use signing::{SignatureError, SignedUrl, UrlSigner};
