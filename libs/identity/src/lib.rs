//! Who is calling: the claims inside an ANB access token and their verification. `auth`
//! signs tokens with an Ed25519 key and publishes the public halves over gRPC; every other
//! service verifies tokens locally with a [`TokenVerifier`], so no secret is shared.
//! Logged-out tokens are listed in Redis ([`Revocations`]); a verifier built
//! [`TokenVerifier::with_revocations`] refuses them, from a copy of the list it keeps in
//! memory while that copy is complete.
#![warn(missing_docs)]

mod claims;
mod mirror;
mod revocation;
mod verified;
mod verifier;

pub use claims::{AUDIENCE, Claims, ISSUER, Identity};
pub use revocation::Revocations;
pub use verifier::{TokenError, TokenVerifier, bearer_token};
