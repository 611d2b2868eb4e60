//! The tonic implementation of `anb.videos.v1.VideosService`: authenticate, delegate, map.

use std::sync::Arc;

use anb_proto::videos::v1::{
    DeleteVideoRequest, DeleteVideoResponse, GetVideoRequest, GetVotableVideoRequest,
    ListMyVideosRequest, ListMyVideosResponse, ListPublicVideosRequest, ListPublicVideosResponse,
    MarkProcessingRequest, MarkProcessingResponse, PublishVideoRequest,
    RecordTranscodeResultRequest, RecordTranscodeResultResponse, UploadRequest, UploadResponse,
    Video, VotableVideo, videos_service_server::VideosService as VideosApi,
};
use chrono::Utc;
use tonic::{Request, Response, Status, Streaming};
use tracing::field::{Empty, display};

use crate::{
    App,
    error::Error,
    ids::{UserId, VideoId},
    player, processing, publication, store, upload, view,
};

/// The gRPC face of the service.
pub struct VideosService {
    app: Arc<App>,
}

impl VideosService {
    /// A service over shared state.
    pub fn new(app: Arc<App>) -> Self {
        Self { app }
    }

    async fn caller<T>(&self, request: &Request<T>) -> Result<UserId, Error> {
        let identity = self.app.verifier.authenticate(request).await?;
        tracing::Span::current().record("user_id", display(identity.user_id));
        Ok(UserId(identity.user_id))
    }
}

#[tonic::async_trait]
impl VideosApi for VideosService {
    #[tracing::instrument(skip_all, fields(user_id = Empty, video_id = Empty))]
    async fn upload(
        &self,
        request: Request<Streaming<UploadRequest>>,
    ) -> Result<Response<UploadResponse>, Status> {
        let owner = self.caller(&request).await?;
        // Before the bytes arrive: an upload that cannot be attributed is refused at once.
        let player = player::fetch_profile(&self.app.auth, request.metadata()).await?;

        let parts = request.into_inner();
        let (video_id, task_id) = upload::accept(&self.app, owner, player, parts).await?;

        Ok(Response::new(UploadResponse {
            video_id: video_id.to_string(),
            task_id: task_id.to_string(),
        }))
    }

    #[tracing::instrument(skip_all, fields(user_id = Empty))]
    async fn list_my_videos(
        &self,
        request: Request<ListMyVideosRequest>,
    ) -> Result<Response<ListMyVideosResponse>, Status> {
        let owner = self.caller(&request).await?;

        let rows = store::list_by_owner(&self.app.db, owner).await?;

        let now = Utc::now();
        let videos = rows
            .iter()
            .map(|row| view::owner_view(row, &self.app.signer, now))
            .collect();
        Ok(Response::new(ListMyVideosResponse { videos }))
    }

    #[tracing::instrument(skip_all, fields(user_id = Empty, video_id = %request.get_ref().video_id))]
    async fn get_video(
        &self,
        request: Request<GetVideoRequest>,
    ) -> Result<Response<Video>, Status> {
        let caller = self.caller(&request).await?;

        let id = VideoId::parse(&request.get_ref().video_id).ok_or(Error::NotFound)?;
        let row = store::find(&self.app.db, id)
            .await?
            .ok_or(Error::NotFound)?;
        if row.owner_id != caller {
            return Err(Error::NotOwner.into());
        }

        Ok(Response::new(view::owner_view(
            &row,
            &self.app.signer,
            Utc::now(),
        )))
    }

    // TODO: MarkProcessing and RecordTranscodeResult take no credentials and rely on the
    // network isolating the worker role — anyone who can reach this port can change a
    // video's status. A service token for the transcoder would close that.
    #[tracing::instrument(skip_all, fields(video_id = %request.get_ref().video_id))]
    async fn mark_processing(
        &self,
        request: Request<MarkProcessingRequest>,
    ) -> Result<Response<MarkProcessingResponse>, Status> {
        processing::start(&self.app.db, &request.get_ref().video_id).await?;

        Ok(Response::new(MarkProcessingResponse {}))
    }

    #[tracing::instrument(skip_all, fields(video_id = %request.get_ref().video_id))]
    async fn record_transcode_result(
        &self,
        request: Request<RecordTranscodeResultRequest>,
    ) -> Result<Response<RecordTranscodeResultResponse>, Status> {
        processing::finish(&self.app.db, request.into_inner()).await?;

        Ok(Response::new(RecordTranscodeResultResponse {}))
    }

    #[tracing::instrument(skip_all, fields(user_id = Empty, video_id = %request.get_ref().video_id))]
    async fn delete_video(
        &self,
        request: Request<DeleteVideoRequest>,
    ) -> Result<Response<DeleteVideoResponse>, Status> {
        let caller = self.caller(&request).await?;

        let id = publication::delete(&self.app, caller, &request.get_ref().video_id).await?;

        Ok(Response::new(DeleteVideoResponse {
            video_id: id.to_string(),
        }))
    }

    #[tracing::instrument(skip_all, fields(user_id = Empty, video_id = %request.get_ref().video_id))]
    async fn publish_video(
        &self,
        request: Request<PublishVideoRequest>,
    ) -> Result<Response<Video>, Status> {
        let caller = self.caller(&request).await?;

        let row = publication::publish(&self.app, caller, &request.get_ref().video_id).await?;

        Ok(Response::new(view::owner_view(
            &row,
            &self.app.signer,
            Utc::now(),
        )))
    }

    // Anyone may browse: no token is read, so a stale one cannot break the gallery.
    #[tracing::instrument(skip_all)]
    async fn list_public_videos(
        &self,
        request: Request<ListPublicVideosRequest>,
    ) -> Result<Response<ListPublicVideosResponse>, Status> {
        let videos = publication::gallery(&self.app, request.get_ref()).await?;

        Ok(Response::new(ListPublicVideosResponse { videos }))
    }

    #[tracing::instrument(skip_all, fields(user_id = Empty, video_id = %request.get_ref().video_id))]
    async fn get_votable_video(
        &self,
        request: Request<GetVotableVideoRequest>,
    ) -> Result<Response<VotableVideo>, Status> {
        let caller = self.caller(&request).await?;

        let video = publication::votable(&self.app, caller, &request.get_ref().video_id).await?;

        Ok(Response::new(video))
    }
}
