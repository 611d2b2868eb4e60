//! The tonic face of the service: thin methods that validate, call the domain and map.

use std::sync::Arc;

use anb_proto::auth::v1::{
    GetProfileRequest, GetPublicKeysRequest, GetPublicKeysResponse, LogInRequest, LogInResponse,
    SignUpRequest, SignUpResponse, User, auth_service_server,
};
use chrono::Utc;
use secrecy::SecretString;
use tonic::{Request, Response, Status};
use tracing::{Span, field};

use crate::{
    accounts::Accounts, error::Error, ids::UserId, tokens::Tokens, validation::validate_sign_up,
};

/// The `anb.auth.v1.AuthService` implementation.
pub struct AuthService {
    accounts: Accounts,
    tokens: Arc<Tokens>,
}

impl AuthService {
    /// A service over `accounts` that signs with `tokens`.
    pub fn new(accounts: Accounts, tokens: Arc<Tokens>) -> Self {
        Self { accounts, tokens }
    }
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
        let LogInRequest { email, password } = request.into_inner();

        let user = self
            .accounts
            .log_in(&email, SecretString::from(password))
            .await?;
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
}
