//! grpc-web for the browser: only `anb.votes.v1.VotesService/WatchRankings`, forwarded as
//! is to votes. Rankings are public, so no token is asked for or passed on. The CORS layer
//! answers the browser's preflight (tonic-web alone refuses it) and lets the page read the
//! gRPC status headers.

use anb_proto::votes::v1::{
    CastVoteRequest, CastVoteResponse, CountVotesRequest, CountVotesResponse, ListMyVotesRequest,
    ListMyVotesResponse, ListRankingsRequest, ListRankingsResponse, RankingsSnapshot,
    WatchRankingsRequest,
    votes_service_client::VotesServiceClient,
    votes_service_server::{VotesService, VotesServiceServer},
};
use axum::{
    Router,
    http::{HeaderName, Method},
};
use tonic::{Request, Response, Status, Streaming, transport::Channel};
use tower::Layer as _;
use tower_http::cors::{Any, CorsLayer};

use crate::upstream;

/// The only grpc-web path served.
pub(crate) const WATCH_RANKINGS: &str = "/anb.votes.v1.VotesService/WatchRankings";

/// The grpc-web route, to merge into the gateway's router.
pub(crate) fn router<S: Clone + Send + Sync + 'static>(
    votes: VotesServiceClient<Channel>,
) -> Router<S> {
    let server = VotesServiceServer::new(Forward { votes });
    let service = tonic_web::GrpcWebLayer::new().layer(server);
    Router::new()
        .route_service(WATCH_RANKINGS, service)
        .layer(cors())
}

fn cors() -> CorsLayer {
    let header = HeaderName::from_static;
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::POST, Method::OPTIONS])
        .allow_headers([
            header("content-type"),
            header("x-grpc-web"),
            header("x-user-agent"),
            header("grpc-timeout"),
        ])
        .expose_headers([
            header("grpc-status"),
            header("grpc-message"),
            header("grpc-status-details-bin"),
        ])
}

/// Forwards WatchRankings; the other methods are REST-only and never routed here.
struct Forward {
    votes: VotesServiceClient<Channel>,
}

fn not_served<T>() -> Result<Response<T>, Status> {
    Err(Status::unimplemented(
        "only WatchRankings is served over grpc-web",
    ))
}

#[tonic::async_trait]
impl VotesService for Forward {
    type WatchRankingsStream = Streaming<RankingsSnapshot>;

    #[tracing::instrument(skip_all)]
    async fn watch_rankings(
        &self,
        request: Request<WatchRankingsRequest>,
    ) -> Result<Response<Self::WatchRankingsStream>, Status> {
        let request = upstream::request(request.into_inner(), None);
        let stream = self.votes.clone().watch_rankings(request).await?;
        Ok(Response::new(stream.into_inner()))
    }

    async fn count_votes(
        &self,
        _: Request<CountVotesRequest>,
    ) -> Result<Response<CountVotesResponse>, Status> {
        not_served()
    }

    async fn cast_vote(
        &self,
        _: Request<CastVoteRequest>,
    ) -> Result<Response<CastVoteResponse>, Status> {
        not_served()
    }

    async fn list_rankings(
        &self,
        _: Request<ListRankingsRequest>,
    ) -> Result<Response<ListRankingsResponse>, Status> {
        not_served()
    }

    async fn list_my_votes(
        &self,
        _: Request<ListMyVotesRequest>,
    ) -> Result<Response<ListMyVotesResponse>, Status> {
        not_served()
    }
}
