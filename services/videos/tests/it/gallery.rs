//! ListPublicVideos (anyone) and GetVotableVideo (for `votes`).

use anb_grpc::reason_of;
use anb_proto::videos::v1::{
    GetVotableVideoRequest, ListPublicVideosRequest, VideoStatus as Status,
};
use anb_videos::db::video::VideoStatus;
use chrono::{Duration, Utc};
use tonic::{Code, Request};
use uuid::Uuid;

use crate::support::{TestService, insert_video, set_city, set_state};

/// A published video of a new player in `city`, processed `minutes_ago`.
async fn published(
    service: &TestService,
    city: (&str, &str),
    minutes_ago: i64,
) -> anyhow::Result<Uuid> {
    let at = Utc::now() - Duration::minutes(minutes_ago);
    let id = insert_video(&service.db, Uuid::new_v4(), "Public", at).await?;
    set_state(&service.db, id, VideoStatus::Processed, true, Some(at)).await?;
    set_city(&service.db, id, city.0, city.1).await?;
    Ok(id)
}

async fn gallery(
    service: &TestService,
    request: ListPublicVideosRequest,
) -> Result<Vec<String>, tonic::Status> {
    let listed = service
        .client
        .clone()
        .list_public_videos(Request::new(request))
        .await?;
    Ok(listed
        .into_inner()
        .videos
        .into_iter()
        .map(|video| video.video_id)
        .collect())
}

fn page(limit: u32, offset: u32, city: Option<&str>) -> ListPublicVideosRequest {
    ListPublicVideosRequest {
        limit,
        offset,
        city: city.map(str::to_owned),
    }
}

#[tokio::test]
async fn the_gallery_lists_only_published_videos_newest_first_without_a_token() -> anyhow::Result<()>
{
    let service = TestService::start().await?;
    let older = published(&service, ("Bogotá", "bogota"), 30).await?;
    let newer = published(&service, ("Cali", "cali"), 10).await?;
    let private = insert_video(&service.db, Uuid::new_v4(), "Private", Utc::now()).await?;
    set_state(
        &service.db,
        private,
        VideoStatus::Processed,
        false,
        Some(Utc::now()),
    )
    .await?;
    let unprocessed = insert_video(&service.db, Uuid::new_v4(), "Queued", Utc::now()).await?;
    set_state(
        &service.db,
        unprocessed,
        VideoStatus::Processing,
        true,
        None,
    )
    .await?;

    let listed = service
        .client
        .clone()
        .list_public_videos(Request::new(page(0, 0, None)))
        .await?
        .into_inner()
        .videos;

    let ids: Vec<&str> = listed.iter().map(|video| video.video_id.as_str()).collect();
    assert_eq!(ids, [newer.to_string(), older.to_string()]);
    let first = &listed[0];
    let player = first.player.as_ref().expect("a player snapshot");
    assert_eq!(
        (
            player.first_name.as_str(),
            player.last_name.as_str(),
            player.city.as_str()
        ),
        ("Test", "Player", "Cali")
    );
    assert!(first.processed_url.starts_with("/media/processed/"));
    assert!(first.poster_url.starts_with("/media/posters/"));
    assert!(first.processed_at.ends_with('Z'));
    Ok(())
}

#[tokio::test]
async fn the_gallery_pages_with_limit_and_offset() -> anyhow::Result<()> {
    let service = TestService::start().await?;
    let mut ids = Vec::new();
    for minutes_ago in [1, 2, 3] {
        ids.push(
            published(&service, ("Cali", "cali"), minutes_ago)
                .await?
                .to_string(),
        );
    }

    let first = gallery(&service, page(2, 0, None)).await?;
    let rest = gallery(&service, page(2, 2, None)).await?;

    assert_eq!(first, ids[..2]);
    assert_eq!(rest, ids[2..]);
    Ok(())
}

#[tokio::test]
async fn the_city_filter_ignores_case_and_accents() -> anyhow::Result<()> {
    let service = TestService::start().await?;
    let bogota = published(&service, ("Bogotá", "bogota"), 5)
        .await?
        .to_string();
    published(&service, ("Medellín", "medellin"), 1).await?;

    for city in ["Bogotá", "bogota", " BOGOTÁ "] {
        assert_eq!(
            gallery(&service, page(0, 0, Some(city))).await?,
            std::slice::from_ref(&bogota),
            "{city}"
        );
    }
    assert!(
        gallery(&service, page(0, 0, Some("Cali")))
            .await?
            .is_empty()
    );
    Ok(())
}

#[tokio::test]
async fn a_limit_above_one_hundred_is_an_invalid_parameter() -> anyhow::Result<()> {
    let service = TestService::start().await?;

    let status = gallery(&service, page(101, 0, None))
        .await
        .expect_err("too large");

    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(reason_of(&status), Some("invalid_parameter"));
    assert!(status.message().contains("limit"), "{}", status.message());
    Ok(())
}

fn votable(id: Uuid) -> GetVotableVideoRequest {
    GetVotableVideoRequest {
        video_id: id.to_string(),
    }
}

#[tokio::test]
async fn a_votable_video_carries_its_owner_snapshot_and_publication() -> anyhow::Result<()> {
    let service = TestService::start().await?;
    let id = published(&service, ("Cali", "cali"), 1).await?;
    let voter = Uuid::new_v4();

    let video = service
        .client
        .clone()
        .get_votable_video(service.authed(voter, votable(id)))
        .await?
        .into_inner();

    assert!(video.published && video.is_public);
    assert_eq!(video.status(), Status::Processed);
    let owner = video.owner.expect("owner snapshot");
    assert_eq!(
        (owner.first_name.as_str(), owner.city.as_str()),
        ("Test", "Cali")
    );
    assert_ne!(owner.user_id, voter.to_string());
    Ok(())
}

#[tokio::test]
async fn a_private_video_is_votable_data_for_its_owner_only() -> anyhow::Result<()> {
    let service = TestService::start().await?;
    let owner = Uuid::new_v4();
    let id = insert_video(&service.db, owner, "Private", Utc::now()).await?;

    let own = service
        .client
        .clone()
        .get_votable_video(service.authed(owner, votable(id)))
        .await?
        .into_inner();
    let foreign = service
        .client
        .clone()
        .get_votable_video(service.authed(Uuid::new_v4(), votable(id)))
        .await
        .expect_err("another player's private video");
    let unknown = service
        .client
        .clone()
        .get_votable_video(service.authed(owner, votable(Uuid::now_v7())))
        .await
        .expect_err("no such video");
    let anonymous = service
        .client
        .clone()
        .get_votable_video(Request::new(votable(id)))
        .await
        .expect_err("no token");

    assert!(!own.published && !own.is_public);
    assert_eq!(own.status(), Status::Uploaded);
    assert_eq!(foreign.code(), Code::NotFound);
    assert_eq!(unknown.code(), Code::NotFound);
    assert_eq!(anonymous.code(), Code::Unauthenticated);
    Ok(())
}
