//! A stand-in for `auth` that answers GetProfile for the test's own tokens. It verifies
//! the forwarded token with the test key, so a call without the caller's token fails.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use anb_identity::TokenVerifier;
use anb_proto::auth::v1::{
    GetProfileRequest, GetPublicKeysRequest, GetPublicKeysResponse, LogInRequest, LogInResponse,
    LogOutRequest, LogOutResponse, SignUpRequest, SignUpResponse, User,
    auth_service_client::AuthServiceClient,
    auth_service_server::{AuthService, AuthServiceServer},
};
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{Request, Response, Status, transport::Channel};
use uuid::Uuid;

/// Profiles by user; users not registered get [`default_profile`].
pub type Profiles = Arc<Mutex<HashMap<Uuid, User>>>;

pub fn profile(user: Uuid, first: &str, last: &str, city: &str, country: &str) -> User {
    User {
        user_id: user.to_string(),
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        email: format!("{user}@example.test"),
        city: city.to_owned(),
        country: country.to_owned(),
        created_at: "2026-12-04T10:00:00Z".to_owned(),
    }
}

fn default_profile(user: Uuid) -> User {
    profile(user, "Test", "Player", "Bogotá", "Colombia")
}

struct FakeAuth {
    verifier: TokenVerifier,
    profiles: Profiles,
}

/// Serves the fake on a free loopback port until the test process ends.
pub async fn start(
    verifier: TokenVerifier,
    profiles: Profiles,
) -> anyhow::Result<AuthServiceClient<Channel>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let fake = FakeAuth { verifier, profiles };
    let server = tonic::transport::Server::builder()
        .add_service(AuthServiceServer::new(fake))
        .serve_with_incoming(TcpListenerStream::new(listener));
    tokio::spawn(server);
    Ok(AuthServiceClient::connect(format!("http://{address}")).await?)
}

#[tonic::async_trait]
impl AuthService for FakeAuth {
    async fn get_profile(
        &self,
        request: Request<GetProfileRequest>,
    ) -> Result<Response<User>, Status> {
        let user = self.verifier.authenticate(&request).await?.user_id;
        let known = self
            .profiles
            .lock()
            .expect("profiles lock")
            .get(&user)
            .cloned();
        Ok(Response::new(
            known.unwrap_or_else(|| default_profile(user)),
        ))
    }

    async fn sign_up(&self, _: Request<SignUpRequest>) -> Result<Response<SignUpResponse>, Status> {
        Err(Status::unimplemented("not in the fake"))
    }

    async fn log_in(&self, _: Request<LogInRequest>) -> Result<Response<LogInResponse>, Status> {
        Err(Status::unimplemented("not in the fake"))
    }

    async fn get_public_keys(
        &self,
        _: Request<GetPublicKeysRequest>,
    ) -> Result<Response<GetPublicKeysResponse>, Status> {
        Err(Status::unimplemented("not in the fake"))
    }

    async fn log_out(&self, _: Request<LogOutRequest>) -> Result<Response<LogOutResponse>, Status> {
        Err(Status::unimplemented("not in the fake"))
    }
}
