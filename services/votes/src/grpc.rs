//! The tonic face of the service: thin methods that authenticate, validate, call the domain
//! and map.

use std::{collections::HashMap, sync::Arc, time::Duration};

use anb_proto::votes::v1::{
    CastVoteRequest, CastVoteResponse, CountVotesRequest, CountVotesResponse, ListMyVotesRequest,
    ListMyVotesResponse, ListRankingsRequest, ListRankingsResponse, RankingsSnapshot,
    WatchRankingsRequest, votes_service_server,
};
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};
use tracing::field::{Empty, display};

use crate::{
    App,
    batch::VoteBatcher,
    counts::{count_votes, parse_video_ids},
    error::Error,
    ids::{UserId, VideoId},
    limiter::VoteLimiter,
    ranking::Page,
    view::RankingView,
    voting::{self, NewVote},
    watch,
};

/// What the service runs besides its stores: the ranking view and its watchers, the limit.
pub struct Live {
    pub view: Arc<RankingView>,
    /// Writes votes in batches and moves the view after each.
    pub batcher: VoteBatcher,
    pub limiter: VoteLimiter,
    /// Least time between two snapshots of one watcher.
    pub coalesce: Duration,
    /// Cancelled at shutdown, ending every open stream.
    pub cancel: CancellationToken,
}

/// The `anb.votes.v1.VotesService` implementation.
pub struct VotesService {
    app: Arc<App>,
    live: Live,
}

impl VotesService {
    /// A service over shared state.
    pub fn new(app: Arc<App>, live: Live) -> Self {
        Self { app, live }
    }

    async fn caller<T>(&self, request: &Request<T>) -> Result<UserId, Error> {
        let identity = self.app.verifier.authenticate(request).await?;
        tracing::Span::current().record("user_id", display(identity.user_id));
        Ok(UserId(identity.user_id))
    }
}

#[tonic::async_trait]
impl votes_service_server::VotesService for VotesService {
    #[tracing::instrument(skip_all, fields(requested = Empty))]
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
        let counts = count_votes(&self.app.db, &ids).await?;

        // Keyed by the caller's own spelling, so it finds each id it sent.
        let votes: HashMap<String, i64> = parsed
            .into_iter()
            .map(|(text, id)| (text.to_owned(), counts.get(&id).copied().unwrap_or(0)))
            .collect();
        Ok(Response::new(CountVotesResponse { votes }))
    }

    #[tracing::instrument(skip_all, fields(user_id = Empty, video_id = Empty))]
    async fn cast_vote(
        &self,
        request: Request<CastVoteRequest>,
    ) -> Result<Response<CastVoteResponse>, Status> {
        let voter = self.caller(&request).await?;
        let video = VideoId::parse(&request.get_ref().video_id).ok_or(Error::MalformedVideoId)?;
        tracing::Span::current().record("video_id", display(video));
        self.live.limiter.check(voter).await?;

        let votable = self.app.videos.votable(video, request.metadata()).await?;
        if !votable.published {
            return Err(Error::NotPublished.into());
        }
        let owner = votable.owner;
        let owner_id = owner.user_id;
        self.live
            .batcher
            .cast(NewVote {
                voter,
                video,
                owner,
            })
            .await?;
        VOTES_CAST.inc();

        tracing::debug!(%owner_id, "vote recorded");
        Ok(Response::new(CastVoteResponse {}))
    }

    #[tracing::instrument(skip_all, fields(limit, offset, city = Empty))]
    async fn list_rankings(
        &self,
        request: Request<ListRankingsRequest>,
    ) -> Result<Response<ListRankingsResponse>, Status> {
        let asked = request.into_inner();
        let page = Page::parse(asked.limit, asked.offset, asked.city)?;
        let span = tracing::Span::current();
        span.record("limit", page.limit);
        span.record("offset", page.offset);
        if let Some(city) = &page.city {
            span.record("city", city.as_str());
        }

        let entries = self
            .live
            .view
            .page(&page)
            .await?
            .into_iter()
            .map(Into::into)
            .collect();
        Ok(Response::new(ListRankingsResponse { entries }))
    }

    type WatchRankingsStream = ReceiverStream<Result<RankingsSnapshot, Status>>;

    #[tracing::instrument(skip_all, fields(limit, city = Empty))]
    async fn watch_rankings(
        &self,
        request: Request<WatchRankingsRequest>,
    ) -> Result<Response<Self::WatchRankingsStream>, Status> {
        let asked = request.into_inner();
        let page = Page::parse(asked.limit, 0, asked.city)?;
        let span = tracing::Span::current();
        span.record("limit", page.limit);
        if let Some(city) = &page.city {
            span.record("city", city.as_str());
        }

        let view = self.live.view.clone();
        let cancel = self.live.cancel.clone();
        Ok(Response::new(watch::stream(
            view,
            page,
            self.live.coalesce,
            cancel,
        )))
    }

    #[tracing::instrument(skip_all, fields(user_id = Empty))]
    async fn list_my_votes(
        &self,
        request: Request<ListMyVotesRequest>,
    ) -> Result<Response<ListMyVotesResponse>, Status> {
        let voter = self.caller(&request).await?;

        let video_ids = voting::my_votes(&self.app.db, voter)
            .await?
            .into_iter()
            .map(|id| id.to_string())
            .collect();
        Ok(Response::new(ListMyVotesResponse { video_ids }))
    }
}

/// Votes recorded (duplicates refused by the database are not counted).
static VOTES_CAST: std::sync::LazyLock<anb_metrics::IntCounter> =
    std::sync::LazyLock::new(|| anb_metrics::counter("anb_votes_cast_total", "Votes recorded"));
