//! Who is calling: the claims inside an ANB access token and their verification. `auth`
//! signs tokens with an Ed25519 key and publishes the public halves over gRPC; every other
//! service verifies tokens locally with a [`TokenVerifier`], so no secret is shared.
#![warn(missing_docs)]

mod claims;
mod verifier;

pub use claims::{AUDIENCE, Claims, ISSUER, Identity};
pub use verifier::{TokenError, TokenVerifier, bearer_token};
