use anb_grpc::reason_of;
use anb_proto::videos::v1::{GetVideoRequest, ListMyVideosRequest};
use chrono::{Duration, Utc};
use tonic::{Code, Request};
use uuid::Uuid;

use crate::support::{TestService, insert_video};

#[tokio::test]
async fn list_shows_only_the_callers_videos_newest_first() -> anyhow::Result<()> {
    let service = TestService::start().await?;
    let (player, other) = (Uuid::new_v4(), Uuid::new_v4());
    let now = Utc::now();
    let older = insert_video(&service.db, player, "Older", now - Duration::hours(2)).await?;
    let newer = insert_video(&service.db, player, "Newer", now - Duration::hours(1)).await?;
    insert_video(&service.db, other, "Not mine", now).await?;

    let listed = service
        .client
        .clone()
        .list_my_videos(service.authed(player, ListMyVideosRequest {}))
        .await?;

    let ids: Vec<String> = listed
        .into_inner()
        .videos
        .into_iter()
        .map(|video| video.video_id)
        .collect();
    assert_eq!(ids, [newer.to_string(), older.to_string()]);
    Ok(())
}

#[tokio::test]
async fn get_video_of_another_player_is_permission_denied() -> anyhow::Result<()> {
    let service = TestService::start().await?;
    let owner = Uuid::new_v4();
    let id = insert_video(&service.db, owner, "Mine", Utc::now()).await?;

    let request = GetVideoRequest {
        video_id: id.to_string(),
    };
    let status = service
        .client
        .clone()
        .get_video(service.authed(Uuid::new_v4(), request))
        .await
        .expect_err("not owner");

    assert_eq!(status.code(), Code::PermissionDenied);
    assert_eq!(reason_of(&status), Some("not_owner"));
    Ok(())
}

#[tokio::test]
async fn get_video_of_an_unknown_or_malformed_id_is_not_found() -> anyhow::Result<()> {
    let service = TestService::start().await?;
    let player = Uuid::new_v4();

    for video_id in [
        Uuid::now_v7().to_string(),
        "not-a-uuid".to_owned(),
        String::new(),
    ] {
        let request = service.authed(
            player,
            GetVideoRequest {
                video_id: video_id.clone(),
            },
        );
        let status = service
            .client
            .clone()
            .get_video(request)
            .await
            .expect_err("no such video");
        assert_eq!(status.code(), Code::NotFound, "for {video_id:?}");
    }
    Ok(())
}

#[tokio::test]
async fn reading_without_a_token_is_unauthenticated() -> anyhow::Result<()> {
    let service = TestService::start().await?;

    let list = service
        .client
        .clone()
        .list_my_videos(Request::new(ListMyVideosRequest {}))
        .await;
    let get = service
        .client
        .clone()
        .get_video(Request::new(GetVideoRequest {
            video_id: Uuid::now_v7().to_string(),
        }))
        .await;

    assert_eq!(list.expect_err("no token").code(), Code::Unauthenticated);
    assert_eq!(get.expect_err("no token").code(), Code::Unauthenticated);
    Ok(())
}
