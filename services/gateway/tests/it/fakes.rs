//! Test doubles of the services behind the gateway. They record what the gateway sent
//! (authorization metadata, upload chunks and metadata) and answer scripted errors.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use anb_grpc::status_with_reason;
use anb_proto::{
    auth::v1::{
        GetProfileRequest, GetPublicKeysRequest, GetPublicKeysResponse, LogInRequest,
        LogInResponse, LogOutRequest, LogOutResponse, SignUpRequest, SignUpResponse, User,
        auth_service_server::{AuthService, AuthServiceServer},
    },
    videos::v1::{
        DeleteVideoRequest, DeleteVideoResponse, GetVideoRequest, GetVotableVideoRequest,
        ListMyVideosRequest, ListMyVideosResponse, ListPublicVideosRequest,
        ListPublicVideosResponse, MarkProcessingRequest, MarkProcessingResponse, Player,
        PublicVideo, PublishVideoRequest, RecordTranscodeResultRequest,
        RecordTranscodeResultResponse, UploadMetadata, UploadRequest, UploadResponse, Video,
        VideoStatus, VotableVideo,
        upload_request::Part,
        videos_service_server::{VideosService, VideosServiceServer},
    },
    votes::v1::{
        CastVoteRequest, CastVoteResponse, CountVotesRequest, CountVotesResponse,
        ListMyVotesRequest, ListMyVotesResponse, ListRankingsRequest, ListRankingsResponse,
        RankingEntry, RankingsSnapshot, WatchRankingsRequest,
        votes_service_server::{VotesService, VotesServiceServer},
    },
};
use tokio::{net::TcpListener, sync::oneshot};
use tokio_stream::StreamExt as _;
use tonic::{Code, Request, Response, Status, Streaming, service::Routes};

/// The video every fake knows: processed and public.
pub const KNOWN_VIDEO: &str = "0192f6a0-7c1e-7d2a-9b3c-4d5e6f708192";
/// A failed video of the caller.
pub const FAILED_VIDEO: &str = "0192f6a0-7c1e-7d2a-9b3c-4d5e6f708193";
/// A video owned by somebody else.
pub const FOREIGN_VIDEO: &str = "0192f6a0-7c1e-7d2a-9b3c-4d5e6f708194";
pub const UPLOADED_VIDEO: &str = "0192f6a0-7c1e-7d2a-9b3c-4d5e6f7081aa";
pub const UPLOAD_TASK: &str = "5d0c3c4e-8e59-4a8b-9b11-2d5b6f0a7c01";
/// Votes the fake votes service reports for every video.
pub const VOTES: i64 = 7;

/// What the fakes saw.
#[derive(Debug, Default)]
pub struct Seen {
    pub authorization: Vec<Option<String>>,
    pub uploads: Vec<ReceivedUpload>,
    /// Queries of the public gallery, as the gateway forwarded them.
    pub public_queries: Vec<ListPublicVideosRequest>,
    /// Every ListRankings request the votes fake received.
    pub rankings: Vec<ListRankingsRequest>,
    /// Chunk bytes received so far by uploads still in progress or ended.
    pub live_bytes: u64,
}

#[derive(Debug, Default, Clone)]
pub struct ReceivedUpload {
    pub bytes: u64,
    pub chunks: usize,
    pub largest_chunk: usize,
    pub metadata: Option<UploadMetadata>,
    /// Chunks received before the metadata message.
    pub chunks_before_metadata: usize,
}

pub type Record = Arc<Mutex<Seen>>;

struct RecordOnDrop {
    record: Record,
    upload: ReceivedUpload,
}

impl Drop for RecordOnDrop {
    fn drop(&mut self) {
        let upload = std::mem::take(&mut self.upload);
        if let Ok(mut seen) = self.record.lock() {
            seen.uploads.push(upload);
        }
    }
}

fn remember<T>(record: &Record, request: &Request<T>) {
    let authorization = request
        .metadata()
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    record
        .lock()
        .expect("record lock")
        .authorization
        .push(authorization);
}

/// Scripted failures, chosen by the email: `fail-<grpc code number>@test` answers that
/// code without a reason, `reason-<n>@test` with the reason `custom_reason`.
fn scripted_failure(email: &str) -> Option<Status> {
    let (kind, rest) = email.split_once('-')?;
    let number = rest.strip_suffix("@test")?.parse::<i32>().ok()?;
    let code = Code::from_i32(number);
    match kind {
        "fail" => Some(Status::new(code, format!("scripted {number}"))),
        "reason" => Some(status_with_reason(
            code,
            "custom_reason",
            format!("scripted {number}"),
        )),
        _ => None,
    }
}

pub struct FakeAuth;

#[tonic::async_trait]
impl AuthService for FakeAuth {
    async fn sign_up(
        &self,
        request: Request<SignUpRequest>,
    ) -> Result<Response<SignUpResponse>, Status> {
        let body = request.into_inner();
        if let Some(status) = scripted_failure(&body.email) {
            return Err(status);
        }
        let user = User {
            user_id: "8d7f0f5e-4c1b-4f3e-9a55-1f2e3d4c5b6a".to_owned(),
            first_name: body.first_name,
            last_name: body.last_name,
            email: body.email,
            city: body.city,
            country: body.country,
            created_at: "2026-12-04T10:00:00Z".to_owned(),
        };
        Ok(Response::new(SignUpResponse { user: Some(user) }))
    }

    async fn log_in(
        &self,
        request: Request<LogInRequest>,
    ) -> Result<Response<LogInResponse>, Status> {
        let request_ip = request
            .metadata()
            .get("x-anb-client-ip")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let body = request.into_inner();
        if body.email == "slow@test" {
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
        if body.email == "throttled@test" {
            let mut status = status_with_reason(
                Code::ResourceExhausted,
                "too_many_attempts",
                "too many log-in attempts; try again later",
            );
            status
                .metadata_mut()
                .insert("retry-after", "120".parse().expect("ASCII"));
            return Err(status);
        }
        if body.email == "echo-ip@test" {
            let ip = request_ip.unwrap_or_else(|| "none".to_owned());
            return Err(Status::invalid_argument(ip));
        }
        if let Some(status) = scripted_failure(&body.email) {
            return Err(status);
        }
        Ok(Response::new(LogInResponse {
            access_token: "header.claims.signature".to_owned(),
            token_type: "Bearer".to_owned(),
            expires_in: 3600,
        }))
    }

    async fn get_public_keys(
        &self,
        _: Request<GetPublicKeysRequest>,
    ) -> Result<Response<GetPublicKeysResponse>, Status> {
        Ok(Response::new(GetPublicKeysResponse { keys: vec![] }))
    }

    async fn get_profile(
        &self,
        request: Request<GetProfileRequest>,
    ) -> Result<Response<User>, Status> {
        if request.metadata().get("authorization").is_none() {
            return Err(Status::unauthenticated("missing bearer token"));
        }
        Ok(Response::new(User {
            user_id: "8d7f0f5e-4c1b-4f3e-9a55-1f2e3d4c5b6a".to_owned(),
            first_name: "Ana".to_owned(),
            last_name: "Pérez".to_owned(),
            email: "ana@example.com".to_owned(),
            city: "Bogotá".to_owned(),
            country: "Colombia".to_owned(),
            created_at: "2026-12-04T10:00:00Z".to_owned(),
        }))
    }

    async fn log_out(
        &self,
        request: Request<LogOutRequest>,
    ) -> Result<Response<LogOutResponse>, Status> {
        if request.metadata().get("authorization").is_none() {
            return Err(Status::unauthenticated("missing bearer token"));
        }
        Ok(Response::new(LogOutResponse {}))
    }
}

pub struct FakeVideos {
    pub record: Record,
    /// Largest upload accepted before OUT_OF_RANGE, like the real service's limit.
    pub max_upload_bytes: u64,
}

pub fn video(id: &str, status: VideoStatus) -> Video {
    let processed = status == VideoStatus::Processed;
    let url = |folder: &str, ext: &str| format!("/media/{folder}/{id}.{ext}?expires=1&sig=x");
    Video {
        video_id: id.to_owned(),
        owner_id: "8d7f0f5e-4c1b-4f3e-9a55-1f2e3d4c5b6a".to_owned(),
        title: format!("video {id}"),
        status: status as i32,
        is_public: processed,
        uploaded_at: "2026-12-04T10:00:00Z".to_owned(),
        processed_at: processed.then(|| "2026-12-04T10:01:00Z".to_owned()),
        original_url: Some(url("originals", "mp4")),
        processed_url: processed.then(|| url("processed", "mp4")),
        poster_url: processed.then(|| url("posters", "jpg")),
        failure_reason: (status == VideoStatus::Failed).then(|| "video is too short".to_owned()),
        size_bytes: 1000,
        duration_ms: 30_000,
    }
}

#[tonic::async_trait]
impl VideosService for FakeVideos {
    async fn upload(
        &self,
        request: Request<Streaming<UploadRequest>>,
    ) -> Result<Response<UploadResponse>, Status> {
        remember(&self.record, &request);
        let mut stream = request.into_inner();
        // Recorded on drop too: a client reset makes the server drop this future mid-stream.
        let mut upload = RecordOnDrop {
            record: self.record.clone(),
            upload: ReceivedUpload::default(),
        };
        let seen = &mut upload.upload;
        while let Some(message) = stream.next().await {
            match message?.part {
                Some(Part::Chunk(chunk)) => {
                    self.record.lock().expect("record lock").live_bytes += chunk.len() as u64;
                    seen.bytes += chunk.len() as u64;
                    seen.chunks += 1;
                    seen.largest_chunk = seen.largest_chunk.max(chunk.len());
                }
                Some(Part::Metadata(metadata)) => {
                    seen.chunks_before_metadata = seen.chunks;
                    seen.metadata = Some(metadata);
                }
                None => {}
            }
            if seen.bytes > self.max_upload_bytes {
                return Err(status_with_reason(
                    Code::OutOfRange,
                    "file_too_large",
                    "file too large",
                ));
            }
        }
        if seen
            .metadata
            .as_ref()
            .is_none_or(|meta| meta.title.is_empty())
        {
            return Err(status_with_reason(
                Code::InvalidArgument,
                "missing_title",
                "title is required",
            ));
        }
        Ok(Response::new(UploadResponse {
            video_id: UPLOADED_VIDEO.to_owned(),
            task_id: UPLOAD_TASK.to_owned(),
        }))
    }

    async fn list_my_videos(
        &self,
        request: Request<ListMyVideosRequest>,
    ) -> Result<Response<ListMyVideosResponse>, Status> {
        remember(&self.record, &request);
        let videos = vec![
            video(KNOWN_VIDEO, VideoStatus::Processed),
            video(FAILED_VIDEO, VideoStatus::Failed),
        ];
        Ok(Response::new(ListMyVideosResponse { videos }))
    }

    async fn get_video(
        &self,
        request: Request<GetVideoRequest>,
    ) -> Result<Response<Video>, Status> {
        remember(&self.record, &request);
        match request.into_inner().video_id.as_str() {
            KNOWN_VIDEO => Ok(Response::new(video(KNOWN_VIDEO, VideoStatus::Processed))),
            FAILED_VIDEO => Ok(Response::new(video(FAILED_VIDEO, VideoStatus::Failed))),
            FOREIGN_VIDEO => Err(status_with_reason(
                Code::PermissionDenied,
                "not_owner",
                "not your video",
            )),
            _ => Err(status_with_reason(
                Code::NotFound,
                "video_not_found",
                "no such video",
            )),
        }
    }

    async fn delete_video(
        &self,
        request: Request<DeleteVideoRequest>,
    ) -> Result<Response<DeleteVideoResponse>, Status> {
        remember(&self.record, &request);
        let video_id = request.into_inner().video_id;
        match video_id.as_str() {
            KNOWN_VIDEO => Err(status_with_reason(
                Code::FailedPrecondition,
                "already_published",
                "this video is published for voting and can no longer be deleted",
            )),
            FAILED_VIDEO => Ok(Response::new(DeleteVideoResponse { video_id })),
            other => Err(refusal(other)),
        }
    }

    async fn publish_video(
        &self,
        request: Request<PublishVideoRequest>,
    ) -> Result<Response<Video>, Status> {
        remember(&self.record, &request);
        match request.into_inner().video_id.as_str() {
            KNOWN_VIDEO => Ok(Response::new(video(KNOWN_VIDEO, VideoStatus::Processed))),
            FAILED_VIDEO => Err(status_with_reason(
                Code::FailedPrecondition,
                "not_processed",
                "only a processed video can be published",
            )),
            other => Err(refusal(other)),
        }
    }

    /// The known video, published by a player of Bogotá.
    async fn list_public_videos(
        &self,
        request: Request<ListPublicVideosRequest>,
    ) -> Result<Response<ListPublicVideosResponse>, Status> {
        remember(&self.record, &request);
        let query = request.into_inner();
        let in_city = query
            .city
            .as_deref()
            .is_none_or(|city| city.eq_ignore_ascii_case("bogota"));
        self.record
            .lock()
            .expect("record lock")
            .public_queries
            .push(query);
        let processed = video(KNOWN_VIDEO, VideoStatus::Processed);
        let public = PublicVideo {
            video_id: KNOWN_VIDEO.to_owned(),
            title: processed.title,
            player: Some(Player {
                user_id: processed.owner_id,
                first_name: "Ana".to_owned(),
                last_name: "Díaz".to_owned(),
                city: "Bogotá".to_owned(),
                country: "Colombia".to_owned(),
            }),
            processed_at: processed.processed_at.unwrap_or_default(),
            processed_url: processed.processed_url.unwrap_or_default(),
            poster_url: processed.poster_url.unwrap_or_default(),
        };
        let videos = if in_city { vec![public] } else { vec![] };
        Ok(Response::new(ListPublicVideosResponse { videos }))
    }

    async fn get_votable_video(
        &self,
        _: Request<GetVotableVideoRequest>,
    ) -> Result<Response<VotableVideo>, Status> {
        Err(Status::unimplemented("not in the fake"))
    }

    async fn mark_processing(
        &self,
        _: Request<MarkProcessingRequest>,
    ) -> Result<Response<MarkProcessingResponse>, Status> {
        Err(Status::unimplemented("worker role"))
    }

    async fn record_transcode_result(
        &self,
        _: Request<RecordTranscodeResultRequest>,
    ) -> Result<Response<RecordTranscodeResultResponse>, Status> {
        Err(Status::unimplemented("worker role"))
    }
}

/// Answers votes calls by script: votes for [`KNOWN_VIDEO`] succeed, [`FAILED_VIDEO`] is
/// not published, [`FOREIGN_VIDEO`] was already voted for, anything else is unknown.
/// How the fake videos service refuses ids other than the caller's own videos.
fn refusal(video_id: &str) -> Status {
    if video_id == FOREIGN_VIDEO {
        status_with_reason(Code::PermissionDenied, "not_owner", "not your video")
    } else {
        status_with_reason(Code::NotFound, "video_not_found", "no such video")
    }
}

pub struct FakeVotes {
    pub record: Record,
}

#[tonic::async_trait]
impl VotesService for FakeVotes {
    async fn count_votes(
        &self,
        request: Request<CountVotesRequest>,
    ) -> Result<Response<CountVotesResponse>, Status> {
        let votes = request
            .into_inner()
            .video_ids
            .into_iter()
            .map(|id| (id, VOTES))
            .collect();
        Ok(Response::new(CountVotesResponse { votes }))
    }

    async fn cast_vote(
        &self,
        request: Request<CastVoteRequest>,
    ) -> Result<Response<CastVoteResponse>, Status> {
        remember(&self.record, &request);
        match request.into_inner().video_id.as_str() {
            KNOWN_VIDEO => Ok(Response::new(CastVoteResponse {})),
            FAILED_VIDEO => Err(status_with_reason(
                Code::FailedPrecondition,
                "not_published",
                "the video is not published for voting yet",
            )),
            FOREIGN_VIDEO => Err(status_with_reason(
                Code::AlreadyExists,
                "already_voted",
                "you already voted for this video",
            )),
            _ => Err(status_with_reason(
                Code::NotFound,
                "video_not_found",
                "no such video",
            )),
        }
    }

    async fn list_rankings(
        &self,
        request: Request<ListRankingsRequest>,
    ) -> Result<Response<ListRankingsResponse>, Status> {
        remember(&self.record, &request);
        let asked = request.into_inner();
        self.record
            .lock()
            .expect("record lock")
            .rankings
            .push(asked.clone());
        let entry = |position: u32, votes: i64| RankingEntry {
            position,
            user_id: FOREIGN_VIDEO.to_owned(),
            username: format!("Player {position}"),
            city: asked.city.clone().unwrap_or_else(|| "Cali".to_owned()),
            votes,
        };
        let entries = vec![entry(asked.offset + 1, 9), entry(asked.offset + 2, 4)];
        Ok(Response::new(ListRankingsResponse { entries }))
    }

    async fn list_my_votes(
        &self,
        request: Request<ListMyVotesRequest>,
    ) -> Result<Response<ListMyVotesResponse>, Status> {
        remember(&self.record, &request);
        let video_ids = vec![KNOWN_VIDEO.to_owned(), FAILED_VIDEO.to_owned()];
        Ok(Response::new(ListMyVotesResponse { video_ids }))
    }

    type WatchRankingsStream =
        tokio_stream::Iter<std::vec::IntoIter<Result<RankingsSnapshot, Status>>>;

    /// Two snapshots (`limit` votes, then one more) in the asked city, then the end.
    async fn watch_rankings(
        &self,
        request: Request<WatchRankingsRequest>,
    ) -> Result<Response<Self::WatchRankingsStream>, Status> {
        remember(&self.record, &request);
        let asked = request.into_inner();
        let snapshot = |votes: i64| {
            Ok(RankingsSnapshot {
                entries: vec![RankingEntry {
                    position: 1,
                    user_id: FOREIGN_VIDEO.to_owned(),
                    username: "Player 1".to_owned(),
                    city: asked.city.clone().unwrap_or_default(),
                    votes,
                }],
            })
        };
        let limit = i64::from(asked.limit);
        let snapshots = vec![snapshot(limit), snapshot(limit + 1)];
        Ok(Response::new(tokio_stream::iter(snapshots)))
    }
}

/// A gRPC server on a free loopback port, stopped when dropped.
pub struct Served {
    pub address: SocketAddr,
    _stop: oneshot::Sender<()>,
}

impl Served {
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }
}

/// Serves `routes` (plus health and reflection, as every real service does).
pub async fn serve(routes: Routes, names: &'static [&'static str]) -> Served {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("loopback port");
    let address = listener.local_addr().expect("bound address");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(anb_grpc::serve(listener, routes, names, async {
        let _ = stopped.await;
    }));
    Served {
        address,
        _stop: stop,
    }
}

pub async fn serve_auth() -> Served {
    serve(Routes::new(AuthServiceServer::new(FakeAuth)), &[]).await
}

pub async fn serve_videos(record: Record, max_upload_bytes: u64) -> Served {
    let service = FakeVideos {
        record,
        max_upload_bytes,
    };
    serve(Routes::new(VideosServiceServer::new(service)), &[]).await
}

pub async fn serve_votes(record: Record) -> Served {
    let service = FakeVotes { record };
    serve(Routes::new(VotesServiceServer::new(service)), &[]).await
}

/// The transcoder's operator API is not used by these routes; only its health is.
pub async fn serve_transcoder() -> Served {
    serve(Routes::default(), &[]).await
}
