//! DeleteVideo and PublishVideo: what a player may do with their own videos.

use anb_grpc::reason_of;
use anb_proto::videos::v1::{
    DeleteVideoRequest, GetVideoRequest, PublishVideoRequest, RecordTranscodeResultRequest,
    TranscodeSucceeded, record_transcode_result_request::Outcome,
};
use anb_storage::MediaKind;
use anb_videos::db::video::VideoStatus;
use chrono::Utc;
use tonic::Code;
use uuid::Uuid;

use crate::support::{TestService, insert_video, set_state};

const MEDIA: [MediaKind; 3] = [MediaKind::Original, MediaKind::Processed, MediaKind::Poster];

fn write_media(service: &TestService, id: Uuid) -> anyhow::Result<()> {
    for kind in MEDIA {
        let path = service.storage.path(kind, id);
        std::fs::create_dir_all(path.parent().expect("media paths sit in a folder"))?;
        std::fs::write(path, b"media")?;
    }
    Ok(())
}

fn delete(id: Uuid) -> DeleteVideoRequest {
    DeleteVideoRequest {
        video_id: id.to_string(),
    }
}

fn publish(id: Uuid) -> PublishVideoRequest {
    PublishVideoRequest {
        video_id: id.to_string(),
    }
}

#[tokio::test]
async fn deleting_an_unpublished_video_removes_its_row_and_every_media_file() -> anyhow::Result<()>
{
    let service = TestService::start().await?;
    let player = Uuid::new_v4();
    let id = insert_video(&service.db, player, "Mine", Utc::now()).await?;
    set_state(
        &service.db,
        id,
        VideoStatus::Processed,
        false,
        Some(Utc::now()),
    )
    .await?;
    write_media(&service, id)?;

    let deleted = service
        .client
        .clone()
        .delete_video(service.authed(player, delete(id)))
        .await?
        .into_inner();

    assert_eq!(deleted.video_id, id.to_string());
    for kind in MEDIA {
        assert!(
            !service.storage.path(kind, id).exists(),
            "{kind:?} left behind"
        );
    }
    let get = service
        .client
        .clone()
        .get_video(service.authed(
            player,
            GetVideoRequest {
                video_id: id.to_string(),
            },
        ))
        .await;
    assert_eq!(get.expect_err("deleted").code(), Code::NotFound);
    Ok(())
}

#[tokio::test]
async fn deleting_a_published_video_is_refused_and_keeps_its_files() -> anyhow::Result<()> {
    let service = TestService::start().await?;
    let player = Uuid::new_v4();
    let id = insert_video(&service.db, player, "Mine", Utc::now()).await?;
    set_state(
        &service.db,
        id,
        VideoStatus::Processed,
        true,
        Some(Utc::now()),
    )
    .await?;
    write_media(&service, id)?;

    let status = service
        .client
        .clone()
        .delete_video(service.authed(player, delete(id)))
        .await
        .expect_err("published");

    assert_eq!(status.code(), Code::FailedPrecondition);
    assert_eq!(reason_of(&status), Some("already_published"));
    for kind in MEDIA {
        assert!(service.storage.path(kind, id).exists(), "{kind:?} removed");
    }
    Ok(())
}

#[tokio::test]
async fn deleting_another_players_or_an_unknown_video_is_refused() -> anyhow::Result<()> {
    let service = TestService::start().await?;
    let owner = Uuid::new_v4();
    let id = insert_video(&service.db, owner, "Theirs", Utc::now()).await?;
    write_media(&service, id)?;
    let stranger = Uuid::new_v4();

    let foreign = service
        .client
        .clone()
        .delete_video(service.authed(stranger, delete(id)))
        .await
        .expect_err("not the owner");
    let unknown = service
        .client
        .clone()
        .delete_video(service.authed(stranger, delete(Uuid::now_v7())))
        .await
        .expect_err("no such video");

    assert_eq!(foreign.code(), Code::PermissionDenied);
    assert_eq!(reason_of(&foreign), Some("not_owner"));
    assert_eq!(unknown.code(), Code::NotFound);
    assert!(service.storage.path(MediaKind::Original, id).exists());
    Ok(())
}

// The transcoder treats NOT_FOUND from its report as "deleted" and removes its outputs.
#[tokio::test]
async fn a_result_reported_after_a_delete_during_processing_is_not_found() -> anyhow::Result<()> {
    let service = TestService::start().await?;
    let player = Uuid::new_v4();
    let id = insert_video(&service.db, player, "Mine", Utc::now()).await?;
    set_state(&service.db, id, VideoStatus::Processing, true, None).await?;

    service
        .client
        .clone()
        .delete_video(service.authed(player, delete(id)))
        .await?;
    let report = service
        .client
        .clone()
        .record_transcode_result(RecordTranscodeResultRequest {
            video_id: id.to_string(),
            task_id: Uuid::now_v7().to_string(),
            outcome: Some(Outcome::Succeeded(TranscodeSucceeded {
                duration_ms: 30_000,
            })),
        })
        .await;

    assert_eq!(report.expect_err("deleted").code(), Code::NotFound);
    Ok(())
}

#[tokio::test]
async fn publishing_before_processing_finished_is_refused() -> anyhow::Result<()> {
    let service = TestService::start().await?;
    let player = Uuid::new_v4();
    let id = insert_video(&service.db, player, "Mine", Utc::now()).await?;

    for status in [
        VideoStatus::Uploaded,
        VideoStatus::Processing,
        VideoStatus::Failed,
    ] {
        set_state(&service.db, id, status, false, None).await?;
        let refused = service
            .client
            .clone()
            .publish_video(service.authed(player, publish(id)))
            .await
            .expect_err("not processed");
        assert_eq!(refused.code(), Code::FailedPrecondition, "{status:?}");
        assert_eq!(reason_of(&refused), Some("not_processed"), "{status:?}");
    }
    Ok(())
}

#[tokio::test]
async fn publishing_a_processed_video_makes_it_public_and_twice_is_fine() -> anyhow::Result<()> {
    let service = TestService::start().await?;
    let player = Uuid::new_v4();
    let id = insert_video(&service.db, player, "Mine", Utc::now()).await?;
    set_state(
        &service.db,
        id,
        VideoStatus::Processed,
        false,
        Some(Utc::now()),
    )
    .await?;

    let first = service
        .client
        .clone()
        .publish_video(service.authed(player, publish(id)))
        .await?
        .into_inner();
    let second = service
        .client
        .clone()
        .publish_video(service.authed(player, publish(id)))
        .await?
        .into_inner();

    assert!(first.is_public && second.is_public);
    assert_eq!(first.video_id, id.to_string());
    assert!(
        first
            .processed_url
            .is_some_and(|url| url.starts_with("/media/processed/"))
    );
    let stranger = service
        .client
        .clone()
        .publish_video(service.authed(Uuid::new_v4(), publish(id)))
        .await
        .expect_err("not the owner");
    assert_eq!(stranger.code(), Code::PermissionDenied);
    Ok(())
}
