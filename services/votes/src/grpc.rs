//! The tonic face of the service: thin methods that validate, call the domain and map.

use std::collections::HashMap;

use anb_proto::votes::v1::{CountVotesRequest, CountVotesResponse, votes_service_server};
use sea_orm::DatabaseConnection;
use tonic::{Request, Response, Status};

use crate::{
    counts::{count_votes, parse_video_ids},
    ids::VideoId,
};

/// The `anb.votes.v1.VotesService` implementation.
pub struct VotesService {
    db: DatabaseConnection,
}

impl VotesService {
    /// A service reading and writing `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

#[tonic::async_trait]
impl votes_service_server::VotesService for VotesService {
    #[tracing::instrument(skip_all, fields(requested = tracing::field::Empty))]
    async fn count_votes(
        &self,
        request: Request<CountVotesRequest>,
    ) -> Result<Response<CountVotesResponse>, Status> {
        let requested = request.into_inner().video_ids;
        tracing::Span::current().record("requested", requested.len());
        let parsed = parse_video_ids(&requested)?;

        let mut ids: Vec<VideoId> = parsed.iter().map(|(_, id)| *id).collect();
        ids.sort_unstable_by_key(|id| id.0);
        ids.dedup();
        let counts = count_votes(&self.db, &ids).await?;

        // Keyed by the caller's own spelling, so it finds each id it sent.
        let votes: HashMap<String, i64> = parsed
            .into_iter()
            .map(|(text, id)| (text.to_owned(), counts.get(&id).copied().unwrap_or(0)))
            .collect();
        Ok(Response::new(CountVotesResponse { votes }))
    }
}
