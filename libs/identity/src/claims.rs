use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The `iss` of every access token.
pub const ISSUER: &str = "anb-auth";
/// The `aud` of every access token.
pub const AUDIENCE: &str = "anb";

/// The registered claims an access token carries. Nothing personal beyond the user id.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// Token id, used to revoke one token.
    pub jti: String,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Not before, Unix seconds.
    pub nbf: i64,
    /// Expires at, Unix seconds.
    pub exp: i64,
    /// Always [`ISSUER`].
    pub iss: String,
    /// Always [`AUDIENCE`].
    pub aud: String,
}

/// A verified caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The caller's user id.
    pub user_id: Uuid,
    /// The id of the token the caller presented.
    pub token_id: String,
    /// When that token expires, Unix seconds.
    pub expires_at: i64,
}
