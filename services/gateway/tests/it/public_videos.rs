//! `GET /api/public/videos`: the gallery, open to anyone.

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use serde_json::json;

use crate::{
    fakes::{KNOWN_VIDEO, VOTES},
    harness::{Gateway, Reply},
};

async fn anonymous_get(gateway: &Gateway, uri: &str) -> Reply {
    let request = Request::get(uri)
        .body(Body::empty())
        .expect("valid request");
    gateway.send(request).await
}

#[tokio::test]
async fn the_gallery_needs_no_token_and_shows_player_urls_and_votes() {
    let gateway = Gateway::start().await;

    let reply = anonymous_get(&gateway, "/api/public/videos").await;

    assert_eq!(reply.status, StatusCode::OK);
    let media =
        |folder: &str, ext: &str| format!("/media/{folder}/{KNOWN_VIDEO}.{ext}?expires=1&sig=x");
    assert_eq!(
        reply.json(),
        json!([{
            "video_id": KNOWN_VIDEO,
            "title": format!("video {KNOWN_VIDEO}"),
            "player": {
                "first_name": "Ana",
                "last_name": "Díaz",
                "city": "Bogotá",
                "country": "Colombia",
            },
            "processed_at": "2026-12-04T10:01:00Z",
            "processed_url": media("processed", "mp4"),
            "poster_url": media("posters", "jpg"),
            "votes": VOTES,
        }])
    );
}

#[tokio::test]
async fn a_token_sent_to_the_gallery_is_not_forwarded() {
    let gateway = Gateway::start().await;

    let reply = gateway.get("/api/public/videos").await;

    assert_eq!(reply.status, StatusCode::OK);
    let forwarded = gateway.forwarded_authorization();
    assert!(
        !forwarded.is_empty() && forwarded.iter().all(Option::is_none),
        "{forwarded:?}"
    );
}

#[tokio::test]
async fn paging_and_city_are_forwarded_as_given() {
    let gateway = Gateway::start().await;

    let other_city =
        anonymous_get(&gateway, "/api/public/videos?limit=5&offset=10&city=Cali").await;
    let defaults = anonymous_get(&gateway, "/api/public/videos").await;

    assert_eq!(other_city.json(), json!([]));
    assert_eq!(defaults.status, StatusCode::OK);
    let queries = gateway.public_queries();
    let seen: Vec<_> = queries
        .iter()
        .map(|query| (query.limit, query.offset, query.city.as_deref()))
        .collect();
    assert_eq!(seen, [(5, 10, Some("Cali")), (20, 0, None)]);
}

#[tokio::test]
async fn bad_paging_parameters_are_400_invalid_parameter() {
    let gateway = Gateway::start().await;

    for query in ["limit=0", "limit=101", "limit=abc", "offset=-1", "offset=x"] {
        let reply = anonymous_get(&gateway, &format!("/api/public/videos?{query}")).await;

        assert_eq!(
            reply.error_code(),
            (StatusCode::BAD_REQUEST, "invalid_parameter".to_owned()),
            "{query}"
        );
        let parameter = query.split('=').next().expect("a parameter name");
        assert!(
            reply.json()["error"]
                .as_str()
                .is_some_and(|m| m.contains(parameter))
        );
    }
}
