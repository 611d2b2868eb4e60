//! A stand-in for the videos service that answers GetVotableVideo from a catalogue the test
//! fills, and records the `authorization` each call carried. Every other RPC is refused.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use anb_grpc::status_with_reason;
use anb_proto::videos::v1::{
    DeleteVideoRequest, DeleteVideoResponse, GetVideoRequest, GetVotableVideoRequest,
    ListMyVideosRequest, ListMyVideosResponse, ListPublicVideosRequest, ListPublicVideosResponse,
    MarkProcessingRequest, MarkProcessingResponse, Player, PublishVideoRequest,
    RecordTranscodeResultRequest, RecordTranscodeResultResponse, UploadRequest, UploadResponse,
    Video, VideoStatus, VotableVideo, videos_service_server::VideosService,
};
use tonic::{Code, Request, Response, Status, Streaming};
use uuid::Uuid;

/// What the fake knows and saw; shared with the test.
#[derive(Default)]
pub struct Catalogue {
    pub videos: HashMap<String, VotableVideo>,
    pub authorization: Vec<Option<String>>,
}

pub type Shared = Arc<Mutex<Catalogue>>;

/// A player as videos would describe the owner of a video.
pub fn player(user_id: Uuid, first: &str, last: &str, city: &str) -> Player {
    Player {
        user_id: user_id.to_string(),
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        city: city.to_owned(),
        country: "Colombia".to_owned(),
    }
}

/// A video of `owner`, published for voting or only uploaded.
pub fn votable(video: Uuid, owner: Player, published: bool) -> VotableVideo {
    let status = if published {
        VideoStatus::Processed
    } else {
        VideoStatus::Uploaded
    };
    VotableVideo {
        video_id: video.to_string(),
        owner: Some(owner),
        status: status as i32,
        is_public: published,
        published,
    }
}

pub struct FakeVideos(pub Shared);

fn refused<T>() -> Result<Response<T>, Status> {
    Err(Status::unimplemented("not in the votes test double"))
}

#[tonic::async_trait]
impl VideosService for FakeVideos {
    async fn get_votable_video(
        &self,
        request: Request<GetVotableVideoRequest>,
    ) -> Result<Response<VotableVideo>, Status> {
        let authorization = request
            .metadata()
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let mut catalogue = self.0.lock().expect("catalogue lock");
        catalogue.authorization.push(authorization);
        match catalogue.videos.get(&request.get_ref().video_id) {
            Some(video) => Ok(Response::new(video.clone())),
            None => Err(status_with_reason(
                Code::NotFound,
                "video_not_found",
                "no such video",
            )),
        }
    }

    async fn upload(
        &self,
        _: Request<Streaming<UploadRequest>>,
    ) -> Result<Response<UploadResponse>, Status> {
        refused()
    }

    async fn list_my_videos(
        &self,
        _: Request<ListMyVideosRequest>,
    ) -> Result<Response<ListMyVideosResponse>, Status> {
        refused()
    }

    async fn get_video(&self, _: Request<GetVideoRequest>) -> Result<Response<Video>, Status> {
        refused()
    }

    async fn delete_video(
        &self,
        _: Request<DeleteVideoRequest>,
    ) -> Result<Response<DeleteVideoResponse>, Status> {
        refused()
    }

    async fn publish_video(
        &self,
        _: Request<PublishVideoRequest>,
    ) -> Result<Response<Video>, Status> {
        refused()
    }

    async fn list_public_videos(
        &self,
        _: Request<ListPublicVideosRequest>,
    ) -> Result<Response<ListPublicVideosResponse>, Status> {
        refused()
    }

    async fn mark_processing(
        &self,
        _: Request<MarkProcessingRequest>,
    ) -> Result<Response<MarkProcessingResponse>, Status> {
        refused()
    }

    async fn record_transcode_result(
        &self,
        _: Request<RecordTranscodeResultRequest>,
    ) -> Result<Response<RecordTranscodeResultResponse>, Status> {
        refused()
    }
}
