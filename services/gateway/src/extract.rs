//! Extractors whose rejections are [`GatewayError`]s, so a client never sees axum's
//! plain-text rejection bodies.

use std::net::{IpAddr, SocketAddr};

use anb_identity::{Identity, TokenError};
use axum::{
    extract::{ConnectInfo, FromRequest, FromRequestParts},
    http::{HeaderValue, header, request::Parts},
};

use crate::{AppState, error::GatewayError};

/// A JSON request body; syntax errors, wrong types and a missing content type become the
/// gateway's JSON errors.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(GatewayError))]
pub(crate) struct Json<T>(pub T);

/// The authenticated caller of a protected route, and the credential to forward.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub identity: Identity,
    pub authorization: HeaderValue,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = GatewayError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let authorization = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or(TokenError::Missing)?;
        let token = bearer_token(authorization).ok_or(TokenError::Missing)?;
        let identity = state.verifier.verify(token).await?;
        tracing::Span::current().record("user_id", tracing::field::display(identity.user_id));

        Ok(Self {
            identity,
            authorization: authorization.clone(),
        })
    }
}

/// The address of the HTTP client's connection, when the server records it (it does when
/// served by [`crate::run`]; `Router::oneshot` in tests does not). Forwarded headers are
/// ignored: anyone could write them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientAddress(pub Option<IpAddr>);

impl<S: Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let connection = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        Ok(Self(connection.map(|ConnectInfo(peer)| peer.ip())))
    }
}

/// The token of `Bearer <token>`, with the scheme matched case-insensitively.
fn bearer_token(value: &HeaderValue) -> Option<&str> {
    let (scheme, token) = value.to_str().ok()?.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_non_empty_bearer_credentials_yield_a_token() {
        let token =
            |value: &'static str| bearer_token(&HeaderValue::from_static(value)).map(str::to_owned);

        assert_eq!(token("Bearer a.b.c").as_deref(), Some("a.b.c"));
        assert_eq!(token("bearer  a.b.c ").as_deref(), Some("a.b.c"));
        assert_eq!(token("Basic dXNlcjpwYXNz"), None);
        assert_eq!(token("Bearer "), None);
        assert_eq!(token("a.b.c"), None);
    }
}
