//! Calls to the videos service, which decides whether a video may receive votes and says who
//! owns it. The caller's own `authorization` goes along, so videos applies its visibility
//! rules (another player's private video is NOT_FOUND) to the voter, not to this service.
//!
//! A published video stays published (videos refuses to delete it) and its owner snapshot
//! does not change, so those answers are kept and every later vote for the video is decided
//! here; answers about unpublished videos are asked again each time, as they can change.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use anb_proto::videos::v1::{
    GetVotableVideoRequest, VotableVideo, videos_service_client::VideosServiceClient,
};
use tonic::{Code, Status, metadata::MetadataMap, transport::Channel};
use uuid::Uuid;

use crate::{
    error::{Error, Result},
    ids::{UserId, VideoId},
};

/// Longest a vote waits for videos before giving up with UNAVAILABLE.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// The owner of a votable video, as copied onto the vote row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub user_id: UserId,
    /// "first last", the name rankings show.
    pub display_name: String,
    pub city: String,
}

/// A video that may receive votes, and its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Votable {
    pub published: bool,
    pub owner: Owner,
}

/// Published videos kept before the memory is cleared and refilled from videos: a few
/// hundred bytes each.
const MAX_KEPT: usize = 20_000;

/// A client of `anb.videos.v1.VideosService`; cloning shares the channel and what it kept.
#[derive(Clone)]
pub struct Videos {
    client: VideosServiceClient<Channel>,
    published: Arc<Mutex<HashMap<VideoId, Owner>>>,
}

impl Videos {
    /// A client over `channel` (lazily connected, so start-up order does not matter).
    pub fn new(channel: Channel) -> Self {
        Self {
            client: VideosServiceClient::new(channel),
            published: Arc::default(),
        }
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, HashMap<VideoId, Owner>> {
        // Entries are whole values inserted in one call: a panic cannot leave one half-set.
        self.published
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether the caller may vote for `video` yet, with its owner.
    ///
    /// # Errors
    /// [`Error::VideoNotFound`] as videos decides it; [`Error::VideosUnavailable`] when
    /// videos cannot answer in time; [`Error::Videos`] / [`Error::MissingOwner`] otherwise.
    pub async fn votable(&self, video: VideoId, caller: &MetadataMap) -> Result<Votable> {
        if let Some(owner) = self.kept().get(&video) {
            return Ok(Votable {
                published: true,
                owner: owner.clone(),
            });
        }
        let votable = self.ask(video, caller).await?;
        if votable.published {
            let mut kept = self.kept();
            if kept.len() >= MAX_KEPT {
                kept.clear();
            }
            kept.insert(video, votable.owner.clone());
        }
        Ok(votable)
    }

    async fn ask(&self, video: VideoId, caller: &MetadataMap) -> Result<Votable> {
        let mut request = tonic::Request::new(GetVotableVideoRequest {
            video_id: video.to_string(),
        });
        forward(caller, request.metadata_mut());
        request.set_timeout(CALL_TIMEOUT);

        let mut client = self.client.clone();
        let answer = tokio::time::timeout(CALL_TIMEOUT, client.get_votable_video(request))
            .await
            .map_err(|_| Error::VideosUnavailable(Status::deadline_exceeded("videos timed out")))?
            .map_err(classify)?;
        into_votable(answer.into_inner())
    }
}

fn into_votable(video: VotableVideo) -> Result<Votable> {
    let player = video.owner.ok_or(Error::MissingOwner)?;
    let user_id = Uuid::try_parse(&player.user_id).map_err(|_| Error::MissingOwner)?;
    let display_name = format!("{} {}", player.first_name.trim(), player.last_name.trim())
        .trim()
        .to_owned();

    Ok(Votable {
        published: video.published,
        owner: Owner {
            user_id: UserId(user_id),
            display_name,
            city: player.city.trim().to_owned(),
        },
    })
}

fn classify(status: Status) -> Error {
    match status.code() {
        Code::NotFound => Error::VideoNotFound,
        Code::Unavailable | Code::DeadlineExceeded | Code::Cancelled => {
            Error::VideosUnavailable(status)
        }
        _ => Error::Videos(status),
    }
}

/// Copies the caller's credential and the current trace context onto the outgoing call.
fn forward(caller: &MetadataMap, outgoing: &mut MetadataMap) {
    if let Some(authorization) = caller.get("authorization") {
        outgoing.insert("authorization", authorization.clone());
    }
    anb_grpc::inject_trace_context(outgoing);
}

#[cfg(test)]
mod tests {
    use anb_proto::videos::v1::Player;

    use super::*;

    #[test]
    fn the_owner_snapshot_joins_first_and_last_name() {
        let owner = Player {
            user_id: "0190f5c2-7b1e-7c3a-9a41-5f2d8c1e0a11".to_owned(),
            first_name: "Ana".to_owned(),
            last_name: " Pérez ".to_owned(),
            city: "Bogotá".to_owned(),
            country: "Colombia".to_owned(),
        };
        let video = VotableVideo {
            owner: Some(owner),
            published: true,
            ..VotableVideo::default()
        };

        let votable = into_votable(video).expect("complete answer");

        assert!(votable.published);
        assert_eq!(votable.owner.display_name, "Ana Pérez");
        assert_eq!(votable.owner.city, "Bogotá");
    }

    #[test]
    fn an_answer_without_owner_is_a_fault_of_videos() {
        let result = into_votable(VotableVideo::default());

        assert!(matches!(result, Err(Error::MissingOwner)));
    }
}
