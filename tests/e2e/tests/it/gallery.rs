//! DESIGN §3 rows 8 and 9 through the running platform: a processed video is published,
//! shows in the public gallery (and in its city, not in another), and can no longer be
//! deleted; an unpublished one deletes with its media.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{Platform, write_valid_clip};

/// Debug builds on two shared cores: generous, but a wedged job still fails the test.
const PROCESSING_LIMIT: Duration = Duration::from_secs(300);

fn gallery_ids(listed: &Value) -> Vec<&str> {
    listed
        .as_array()
        .expect("the gallery is an array")
        .iter()
        .filter_map(|item| item["video_id"].as_str())
        .collect()
}

#[tokio::test]
async fn a_published_video_is_in_the_gallery_of_its_city_and_cannot_be_deleted() {
    let platform = Platform::from_env();
    let tag = &Uuid::new_v4().simple().to_string()[..8];
    // Accented, and unique to this test: the filter is asked for the plain spelling.
    let city = format!("Galería {tag}");
    let player = platform
        .sign_up_as("Gala", "Pública", &city)
        .await
        .expect("player signs up");
    let folder = tempfile::tempdir().expect("temp dir");
    let clip = folder.path().join("gallery.mp4");
    write_valid_clip(&clip);
    let (status, created) = platform
        .upload(&player.token, &clip, "Para la galería")
        .await
        .expect("upload");
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let video_id = created["video_id"].as_str().expect("video_id").to_owned();
    platform
        .wait_until_processed(&player.token, &video_id, PROCESSING_LIMIT)
        .await
        .expect("processing finishes");

    let publish = format!("/api/videos/{video_id}/publish");
    let (status, detail) = platform
        .post_json(Some(&player.token), &publish, &Value::Null)
        .await
        .expect("publish answered");
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(
        (&detail["is_public"], &detail["votes"]),
        (&json!(true), &json!(0))
    );

    let by_city = format!("/api/public/videos?limit=100&city=GALERIA%20{tag}");
    let (status, listed) = platform.get_json(None, &by_city).await.expect("gallery");
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(gallery_ids(&listed), [video_id.as_str()]);
    let item = &listed[0];
    assert_eq!(
        item["player"],
        json!({"first_name": "Gala", "last_name": "Pública", "city": city, "country": "Colombia"})
    );
    assert_eq!(item["votes"], 0);
    let poster = item["poster_url"].as_str().expect("poster_url");
    let poster_reply = platform
        .http
        .get(platform.url(poster))
        .send()
        .await
        .expect("poster");
    assert_eq!(poster_reply.status(), StatusCode::OK);

    let (_, everywhere) = platform
        .get_json(Some(&player.token), "/api/public/videos?limit=100")
        .await
        .expect("gallery with an ignored token");
    assert!(gallery_ids(&everywhere).contains(&video_id.as_str()));
    let (_, elsewhere) = platform
        .get_json(None, "/api/public/videos?limit=100&city=Cali")
        .await
        .expect("another city");
    assert!(!gallery_ids(&elsewhere).contains(&video_id.as_str()));

    let (status, refused) = platform
        .delete_json(&player.token, &format!("/api/videos/{video_id}"))
        .await
        .expect("delete answered");
    assert_eq!(
        (status, &refused["code"]),
        (StatusCode::BAD_REQUEST, &json!("already_published"))
    );
}

#[tokio::test]
async fn an_unpublished_video_deletes_with_its_media() {
    let platform = Platform::from_env();
    let player = platform.sign_up_and_log_in().await.expect("player");
    let folder = tempfile::tempdir().expect("temp dir");
    let clip = folder.path().join("delete-me.mp4");
    write_valid_clip(&clip);
    let (status, created) = platform
        .upload(&player.token, &clip, "Borrar")
        .await
        .expect("upload");
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let video_id = created["video_id"].as_str().expect("video_id").to_owned();
    let path = format!("/api/videos/{video_id}");
    let (_, detail) = platform
        .get_json(Some(&player.token), &path)
        .await
        .expect("detail");
    let original = detail["original_url"]
        .as_str()
        .expect("original_url")
        .to_owned();

    let (status, deleted) = platform
        .delete_json(&player.token, &path)
        .await
        .expect("delete answered");

    assert_eq!(status, StatusCode::OK, "{deleted}");
    assert_eq!(deleted["video_id"], json!(video_id));
    assert!(deleted["message"].is_string());
    let media = platform
        .http
        .get(platform.url(&original))
        .send()
        .await
        .expect("media");
    assert_eq!(media.status(), StatusCode::NOT_FOUND);
    let (status, _) = platform
        .get_json(Some(&player.token), &path)
        .await
        .expect("detail after delete");
    assert_eq!(status, StatusCode::NOT_FOUND);
}
