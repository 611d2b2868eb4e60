//! The tonic face of the service: thin methods that validate, call the domain and map.

use std::{net::IpAddr, sync::Arc};

use anb_identity::{Revocations, TokenError};
use anb_proto::auth::v1::{
    GetProfileRequest, GetPublicKeysRequest, GetPublicKeysResponse, LogInRequest, LogInResponse,
    LogOutRequest, LogOutResponse, SignUpRequest, SignUpResponse, User, auth_service_server,
};
use chrono::Utc;
use secrecy::SecretString;
use tonic::{Request, Response, Status};
use tracing::{Span, field};

use crate::{
    accounts::Accounts,
    error::Error,
    ids::UserId,
    throttle::LoginThrottle,
    tokens::Tokens,
    validation::{normalize_email, validate_sign_up},
};

/// Metadata in which the gateway forwards the address of the HTTP client.
pub const CLIENT_IP_METADATA: &str = "x-anb-client-ip";

/// The `anb.auth.v1.AuthService` implementation.
pub struct AuthService {
    accounts: Accounts,
    tokens: Arc<Tokens>,
    revocations: Revocations,
    throttle: LoginThrottle,
}

impl AuthService {
    /// A service over `accounts` that signs with `tokens`, lists logged-out tokens in
    /// `revocations` and throttles log-ins with `throttle`.
    pub fn new(
        accounts: Accounts,
        tokens: Arc<Tokens>,
        revocations: Revocations,
        throttle: LoginThrottle,
    ) -> Self {
        Self {
            accounts,
            tokens,
            revocations,
            throttle,
        }
    }
}

/// The client's address: the one the gateway forwards, else the gRPC peer. Auth is reached
/// only from the gateway's network, so the metadata is trusted.
fn client_address<T>(request: &Request<T>) -> Option<IpAddr> {
    request
        .metadata()
        .get(CLIENT_IP_METADATA)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.trim().parse().ok())
        .or_else(|| request.remote_addr().map(|peer| peer.ip()))
}

#[tonic::async_trait]
impl auth_service_server::AuthService for AuthService {
    #[tracing::instrument(skip_all, fields(user_id = field::Empty))]
    async fn sign_up(
        &self,
        request: Request<SignUpRequest>,
    ) -> Result<Response<SignUpResponse>, Status> {
        let account = validate_sign_up(request.into_inner()).map_err(Error::from)?;

        let user = self.accounts.sign_up(account).await?;
        Span::current().record("user_id", field::display(user.id));
        tracing::debug!("account created");

        Ok(Response::new(SignUpResponse {
            user: Some(user.into()),
        }))
    }

    #[tracing::instrument(skip_all, fields(user_id = field::Empty))]
    async fn log_in(
        &self,
        request: Request<LogInRequest>,
    ) -> Result<Response<LogInResponse>, Status> {
        let address = client_address(&request);
        let LogInRequest { email, password } = request.into_inner();
        let attempt = self.throttle.attempt(&normalize_email(&email), address);
        self.throttle.check(&attempt).await?;

        let outcome = self
            .accounts
            .log_in(&email, SecretString::from(password))
            .await;
        match &outcome {
            Ok(_) => self.throttle.reset_account(&attempt).await,
            Err(Error::InvalidCredentials) => self.throttle.record_failure(&attempt).await,
            Err(_) => {}
        }
        let user = outcome?;
        Span::current().record("user_id", field::display(user.id));
        let issued = self.tokens.issue(user.id, Utc::now().timestamp())?;

        Ok(Response::new(LogInResponse {
            access_token: issued.token,
            token_type: "Bearer".to_owned(),
            expires_in: i64::try_from(issued.expires_in.as_secs())
                .expect("the TTL is validated to at most a week"),
        }))
    }

    #[tracing::instrument(skip_all)]
    async fn get_public_keys(
        &self,
        _request: Request<GetPublicKeysRequest>,
    ) -> Result<Response<GetPublicKeysResponse>, Status> {
        Ok(Response::new(GetPublicKeysResponse {
            keys: self.tokens.public_keys(),
        }))
    }

    #[tracing::instrument(skip_all, fields(user_id = field::Empty))]
    async fn get_profile(
        &self,
        request: Request<GetProfileRequest>,
    ) -> Result<Response<User>, Status> {
        let identity = self.tokens.authenticate(&request).await?;
        let user_id = UserId(identity.user_id);
        Span::current().record("user_id", field::display(user_id));

        let user = self
            .accounts
            .find(user_id)
            .await?
            .ok_or(Error::UnknownUser)?;

        Ok(Response::new(user.into()))
    }

    #[tracing::instrument(skip_all, fields(user_id = field::Empty))]
    async fn log_out(
        &self,
        request: Request<LogOutRequest>,
    ) -> Result<Response<LogOutResponse>, Status> {
        let identity = self.tokens.authenticate(&request).await?;
        Span::current().record("user_id", field::display(identity.user_id));

        let now = Utc::now().timestamp();
        let revoked = self
            .revocations
            .revoke(&identity.token_id, identity.expires_at, now)
            .await
            .map_err(Error::Redis)?;
        // A concurrent log-out of the same token got there first.
        if !revoked {
            return Err(Error::Token(TokenError::Revoked).into());
        }
        tracing::debug!("token revoked");

        Ok(Response::new(LogOutResponse {}))
    }
}
