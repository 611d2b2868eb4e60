//! A stand-in for the videos service that records what the worker tells it.

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
};

use anb_proto::videos::v1::{
    DeleteVideoRequest, DeleteVideoResponse, GetVideoRequest, GetVotableVideoRequest,
    ListMyVideosRequest, ListMyVideosResponse, ListPublicVideosRequest, ListPublicVideosResponse,
    MarkProcessingRequest, MarkProcessingResponse, PublishVideoRequest,
    RecordTranscodeResultRequest, RecordTranscodeResultResponse, UploadRequest, UploadResponse,
    Video, VotableVideo,
    record_transcode_result_request::Outcome,
    videos_service_server::{VideosService, VideosServiceServer},
};
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{Request, Response, Status, Streaming};

/// A call the worker made.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    MarkProcessing {
        video_id: String,
    },
    Record {
        video_id: String,
        outcome: Outcome,
    },
    /// A RecordTranscodeResult answered UNAVAILABLE.
    RecordRefused,
}

#[derive(Clone, Default)]
pub struct FakeVideos {
    calls: Arc<Mutex<Vec<Call>>>,
    /// How many more RecordTranscodeResult calls answer UNAVAILABLE.
    unavailable: Arc<AtomicUsize>,
}

impl FakeVideos {
    /// Serves the fake on a free loopback port until the test process ends.
    pub async fn start(unavailable_reports: usize) -> (Self, SocketAddr) {
        let fake = Self::default();
        fake.unavailable
            .store(unavailable_reports, Ordering::SeqCst);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("local address");
        let server = tonic::transport::Server::builder()
            .add_service(VideosServiceServer::new(fake.clone()))
            .serve_with_incoming(TcpListenerStream::new(listener));
        tokio::spawn(server);
        (fake, address)
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().expect("lock").clone()
    }

    /// The outcomes recorded so far.
    pub fn outcomes(&self) -> Vec<Outcome> {
        self.calls()
            .into_iter()
            .filter_map(|call| match call {
                Call::Record { outcome, .. } => Some(outcome),
                _ => None,
            })
            .collect()
    }

    fn push(&self, call: Call) {
        self.calls.lock().expect("lock").push(call);
    }
}

#[tonic::async_trait]
impl VideosService for FakeVideos {
    async fn upload(
        &self,
        _: Request<Streaming<UploadRequest>>,
    ) -> Result<Response<UploadResponse>, Status> {
        Err(Status::unimplemented("not in the fake"))
    }

    async fn list_my_videos(
        &self,
        _: Request<ListMyVideosRequest>,
    ) -> Result<Response<ListMyVideosResponse>, Status> {
        Err(Status::unimplemented("not in the fake"))
    }

    async fn get_video(&self, _: Request<GetVideoRequest>) -> Result<Response<Video>, Status> {
        Err(Status::unimplemented("not in the fake"))
    }

    async fn delete_video(
        &self,
        _: Request<DeleteVideoRequest>,
    ) -> Result<Response<DeleteVideoResponse>, Status> {
        Err(Status::unimplemented("not in the fake"))
    }

    async fn publish_video(
        &self,
        _: Request<PublishVideoRequest>,
    ) -> Result<Response<Video>, Status> {
        Err(Status::unimplemented("not in the fake"))
    }

    async fn list_public_videos(
        &self,
        _: Request<ListPublicVideosRequest>,
    ) -> Result<Response<ListPublicVideosResponse>, Status> {
        Err(Status::unimplemented("not in the fake"))
    }

    async fn get_votable_video(
        &self,
        _: Request<GetVotableVideoRequest>,
    ) -> Result<Response<VotableVideo>, Status> {
        Err(Status::unimplemented("not in the fake"))
    }

    async fn mark_processing(
        &self,
        request: Request<MarkProcessingRequest>,
    ) -> Result<Response<MarkProcessingResponse>, Status> {
        self.push(Call::MarkProcessing {
            video_id: request.into_inner().video_id,
        });
        Ok(Response::new(MarkProcessingResponse {}))
    }

    async fn record_transcode_result(
        &self,
        request: Request<RecordTranscodeResultRequest>,
    ) -> Result<Response<RecordTranscodeResultResponse>, Status> {
        let refuse = self
            .unavailable
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(1)
            })
            .is_ok();
        if refuse {
            self.push(Call::RecordRefused);
            return Err(Status::unavailable("videos is down"));
        }
        let request = request.into_inner();
        let outcome = request
            .outcome
            .ok_or_else(|| Status::invalid_argument("no outcome"))?;
        self.push(Call::Record {
            video_id: request.video_id,
            outcome,
        });
        Ok(Response::new(RecordTranscodeResultResponse {}))
    }
}
