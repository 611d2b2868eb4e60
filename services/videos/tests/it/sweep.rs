use std::{collections::HashMap, time::Duration};

use anb_videos::{SweepSettings, db::video::Entity, ids::VideoId};
use chrono::Utc;
use fred::prelude::StreamsInterface;
use sea_orm::EntityTrait;
use uuid::Uuid;

use crate::support::{Options, TestService, insert_video};

#[tokio::test]
async fn videos_stuck_before_processing_are_queued_again_and_fresh_ones_are_not()
-> anyhow::Result<()> {
    let options = Options {
        sweep: SweepSettings {
            interval: Duration::from_millis(200),
            requeue_after: Duration::from_secs(600),
        },
        ..Options::default()
    };
    let service = TestService::start_with(options).await?;
    let stuck_since = Utc::now() - chrono::Duration::hours(1);
    let stuck = insert_video(&service.db, Uuid::new_v4(), "Stuck", stuck_since).await?;
    insert_video(&service.db, Uuid::new_v4(), "Fresh", Utc::now()).await?;

    let mut entries: Vec<(String, HashMap<String, String>)> = Vec::new();
    for _ in 0..50 {
        entries = service
            .queue
            .client()
            .xrange(&service.queue.names().stream, "-", "+", None)
            .await?;
        if !entries.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Let a few more rounds pass: the claimed video must not be queued again right away.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let entries_later: Vec<(String, HashMap<String, String>)> = service
        .queue
        .client()
        .xrange(&service.queue.names().stream, "-", "+", None)
        .await?;

    assert_eq!(entries.len(), 1, "one job expected, got {entries:?}");
    assert_eq!(entries_later.len(), 1);
    let job: serde_json::Value = serde_json::from_str(&entries[0].1["job"])?;
    assert_eq!(job["video_id"], stuck.to_string());
    let row = Entity::find_by_id(VideoId(stuck))
        .one(&service.db)
        .await?
        .expect("row exists");
    assert!(
        row.updated_at > stuck_since + chrono::Duration::minutes(59),
        "updated_at moved forward"
    );
    Ok(())
}
