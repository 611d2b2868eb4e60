use axum::http::StatusCode;
use serde_json::json;

use crate::{
    fakes::{FAILED_VIDEO, FOREIGN_VIDEO, KNOWN_VIDEO, VOTES},
    harness::Gateway,
};

#[tokio::test]
async fn list_answers_the_callers_videos_with_lowercase_status_and_nulls() {
    let gateway = Gateway::start().await;

    let reply = gateway.get("/api/videos").await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        json!([
            {
                "video_id": KNOWN_VIDEO,
                "title": format!("video {KNOWN_VIDEO}"),
                "status": "processed",
                "is_public": true,
                "uploaded_at": "2026-12-04T10:00:00Z",
                "processed_at": "2026-12-04T10:01:00Z",
                "processed_url": format!("/media/processed/{KNOWN_VIDEO}.mp4?expires=1&sig=x"),
            },
            {
                "video_id": FAILED_VIDEO,
                "title": format!("video {FAILED_VIDEO}"),
                "status": "failed",
                "is_public": false,
                "uploaded_at": "2026-12-04T10:00:00Z",
                "processed_at": null,
                "processed_url": null,
            },
        ])
    );
}

#[tokio::test]
async fn the_callers_authorization_is_forwarded_unchanged() {
    let gateway = Gateway::start().await;
    let bearer = gateway.bearer();
    let request = axum::http::Request::get("/api/videos")
        .header("authorization", &bearer)
        .body(axum::body::Body::empty())
        .expect("valid request");

    let reply = gateway.send(request).await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(gateway.forwarded_authorization(), vec![Some(bearer)]);
}

#[tokio::test]
async fn one_video_carries_its_urls_and_vote_count() {
    let gateway = Gateway::start().await;

    let reply = gateway.get(&format!("/api/videos/{KNOWN_VIDEO}")).await;

    assert_eq!(reply.status, StatusCode::OK);
    let media =
        |folder: &str, ext: &str| format!("/media/{folder}/{KNOWN_VIDEO}.{ext}?expires=1&sig=x");
    assert_eq!(
        reply.json(),
        json!({
            "video_id": KNOWN_VIDEO,
            "title": format!("video {KNOWN_VIDEO}"),
            "status": "processed",
            "is_public": true,
            "uploaded_at": "2026-12-04T10:00:00Z",
            "processed_at": "2026-12-04T10:01:00Z",
            "original_url": media("originals", "mp4"),
            "processed_url": media("processed", "mp4"),
            "poster_url": media("posters", "jpg"),
            "votes": VOTES,
        })
    );
}

#[tokio::test]
async fn a_failed_video_carries_its_reason() {
    let gateway = Gateway::start().await;

    let reply = gateway.get(&format!("/api/videos/{FAILED_VIDEO}")).await;

    let body = reply.json();
    assert_eq!(
        (reply.status, &body["status"]),
        (StatusCode::OK, &json!("failed"))
    );
    assert_eq!(body["failure_reason"], "video is too short");
    assert_eq!(body["poster_url"], json!(null));
}

#[tokio::test]
async fn another_players_video_is_403_and_an_unknown_one_404() {
    let gateway = Gateway::start().await;

    let foreign = gateway.get(&format!("/api/videos/{FOREIGN_VIDEO}")).await;
    let unknown = gateway
        .get("/api/videos/0192f6a0-7c1e-7d2a-9b3c-000000000000")
        .await;

    assert_eq!(
        foreign.error_code(),
        (StatusCode::FORBIDDEN, "not_owner".to_owned())
    );
    assert_eq!(
        unknown.error_code(),
        (StatusCode::NOT_FOUND, "video_not_found".to_owned())
    );
}

#[tokio::test]
async fn an_id_that_is_not_a_uuid_is_404_without_asking_videos() {
    let gateway = Gateway::start().await;

    let reply = gateway.get("/api/videos/not-a-uuid").await;

    assert_eq!(
        reply.error_code(),
        (StatusCode::NOT_FOUND, "video_not_found".to_owned())
    );
    assert!(gateway.forwarded_authorization().is_empty());
}
