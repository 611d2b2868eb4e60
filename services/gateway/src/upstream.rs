//! The services behind the gateway: one lazily connected channel each, so the gateway
//! starts whatever the order in which the mesh comes up.

use std::time::Duration;

use anb_grpc::{InvalidAddress, lazy_channel};
use anb_proto::{
    auth::v1::auth_service_client::AuthServiceClient,
    videos::v1::videos_service_client::VideosServiceClient,
    votes::v1::votes_service_client::VotesServiceClient,
};
use axum::http::HeaderValue;
use futures::future::join_all;
use tonic::{metadata::MetadataValue, transport::Channel};
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

use crate::config::Config;

/// How long `/ready` waits for each service's health answer.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// gRPC clients of every service; cloning shares the channels.
#[derive(Clone)]
pub(crate) struct Upstreams {
    pub auth: AuthServiceClient<Channel>,
    pub videos: VideosServiceClient<Channel>,
    pub votes: VotesServiceClient<Channel>,
    health: Vec<(&'static str, HealthClient<Channel>)>,
}

impl Upstreams {
    /// Clients for the addresses in `config`, plus the auth channel for token keys.
    pub fn connect(config: &Config) -> Result<(Self, Channel), InvalidAddress> {
        let auth = lazy_channel(&config.auth_url)?;
        let videos = lazy_channel(&config.videos_url)?;
        let votes = lazy_channel(&config.votes_url)?;
        let transcoder = lazy_channel(&config.transcoder_url)?;

        let health = vec![
            ("auth", HealthClient::new(auth.clone())),
            ("videos", HealthClient::new(videos.clone())),
            ("votes", HealthClient::new(votes.clone())),
            ("transcoder", HealthClient::new(transcoder)),
        ];
        let upstreams = Self {
            auth: AuthServiceClient::new(auth.clone()),
            videos: VideosServiceClient::new(videos),
            votes: VotesServiceClient::new(votes),
            health,
        };
        Ok((upstreams, auth))
    }

    /// The services that do not answer SERVING in time, all asked at once.
    pub async fn not_serving(&self) -> Vec<&'static str> {
        let checks = self.health.iter().map(|(name, client)| async move {
            let mut client = client.clone();
            let check = client.check(HealthCheckRequest {
                service: String::new(),
            });
            let serving = tokio::time::timeout(READY_TIMEOUT, check)
                .await
                .ok()
                .and_then(Result::ok)
                .is_some_and(|answer| answer.get_ref().status() == ServingStatus::Serving);
            (!serving).then_some(*name)
        });
        join_all(checks).await.into_iter().flatten().collect()
    }
}

/// A gRPC request carrying the caller's `authorization` (services check it themselves) and
/// the current trace context.
pub(crate) fn request<T>(message: T, authorization: Option<&HeaderValue>) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    let metadata = request.metadata_mut();
    if let Some(value) = authorization.and_then(|v| MetadataValue::try_from(v.as_bytes()).ok()) {
        metadata.insert("authorization", value);
    }
    anb_grpc::inject_trace_context(metadata);
    request
}
