//! DESIGN §3 rows 10–12: voting, the rankings and the caller's own votes.

use anb_proto::votes::v1::ListRankingsRequest;
use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use serde_json::json;

use crate::{
    fakes::{FAILED_VIDEO, FOREIGN_VIDEO, KNOWN_VIDEO},
    harness::{Gateway, Reply},
};

async fn vote(gateway: &Gateway, video: &str, bearer: Option<String>) -> Reply {
    let mut request = Request::post(format!("/api/public/videos/{video}/vote"));
    if let Some(bearer) = bearer {
        request = request.header(header::AUTHORIZATION, bearer);
    }
    gateway
        .send(request.body(Body::empty()).expect("valid request"))
        .await
}

/// The ListRankings requests that reached the fake votes service so far.
fn rankings_asked(gateway: &Gateway) -> Vec<ListRankingsRequest> {
    gateway
        .mesh
        .record
        .lock()
        .expect("record lock")
        .rankings
        .clone()
}

async fn anonymous_get(gateway: &Gateway, uri: &str) -> Reply {
    let request = Request::get(uri)
        .body(Body::empty())
        .expect("valid request");
    gateway.send(request).await
}

#[tokio::test]
async fn a_vote_answers_200_with_a_message_and_forwards_the_callers_token() {
    let gateway = Gateway::start().await;
    let bearer = gateway.bearer();

    let reply = vote(&gateway, KNOWN_VIDEO, Some(bearer.clone())).await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({"message": "vote recorded"}));
    assert_eq!(gateway.forwarded_authorization(), vec![Some(bearer)]);
}

#[tokio::test]
async fn vote_refusals_are_400_already_voted_400_not_published_and_404() {
    let gateway = Gateway::start().await;

    let again = vote(&gateway, FOREIGN_VIDEO, Some(gateway.bearer())).await;
    let unpublished = vote(&gateway, FAILED_VIDEO, Some(gateway.bearer())).await;
    let unknown = vote(
        &gateway,
        "0192f6a0-7c1e-7d2a-9b3c-000000000000",
        Some(gateway.bearer()),
    )
    .await;
    let not_an_id = vote(&gateway, "..%2F..%2Fetc", Some(gateway.bearer())).await;

    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.json()["code"], "already_voted");
    assert_eq!(unpublished.status, StatusCode::BAD_REQUEST);
    assert_eq!(unpublished.json()["code"], "not_published");
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.json()["code"], "video_not_found");
    assert_eq!(not_an_id.status, StatusCode::NOT_FOUND);
    assert_eq!(
        not_an_id.json(),
        json!({"error": "no such video", "code": "video_not_found"})
    );
}

#[tokio::test]
async fn voting_without_a_token_is_401_and_reaches_no_service() {
    let gateway = Gateway::start().await;

    let reply = vote(&gateway, KNOWN_VIDEO, None).await;

    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["code"], "missing_token");
    assert!(gateway.forwarded_authorization().is_empty());
}

#[tokio::test]
async fn voting_with_get_is_405() {
    let gateway = Gateway::start().await;

    let reply = gateway
        .get(&format!("/api/public/videos/{KNOWN_VIDEO}/vote"))
        .await;

    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.json()["code"], "method_not_allowed");
}

#[tokio::test]
async fn rankings_need_no_token_and_list_position_username_city_votes_user_id() {
    let gateway = Gateway::start().await;

    let reply = anonymous_get(&gateway, "/api/public/rankings").await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        json!([
            {"position": 1, "username": "Player 1", "city": "Cali", "votes": 9, "user_id": FOREIGN_VIDEO},
            {"position": 2, "username": "Player 2", "city": "Cali", "votes": 4, "user_id": FOREIGN_VIDEO},
        ])
    );
    let asked = rankings_asked(&gateway);
    assert_eq!(
        asked
            .iter()
            .map(|r| (r.limit, r.offset, r.city.clone()))
            .collect::<Vec<_>>(),
        vec![(20, 0, None)]
    );
}

#[tokio::test]
async fn rankings_pass_limit_offset_and_city_through() {
    let gateway = Gateway::start().await;

    let reply = anonymous_get(
        &gateway,
        "/api/public/rankings?limit=5&offset=10&city=San%20Andr%C3%A9s",
    )
    .await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()[0]["position"], 11);
    let asked = rankings_asked(&gateway);
    assert_eq!(
        (asked[0].limit, asked[0].offset, asked[0].city.as_deref()),
        (5, 10, Some("San Andrés"))
    );
}

#[tokio::test]
async fn a_kept_rankings_page_is_served_again_until_a_vote_through_the_gateway() {
    let gateway = Gateway::start_with(|config| config.rankings_keep_ms = 60_000).await;
    let asked = || rankings_asked(&gateway).len();

    let first = anonymous_get(&gateway, "/api/public/rankings?limit=3").await;
    let again = anonymous_get(&gateway, "/api/public/rankings?limit=3").await;
    let other_city = anonymous_get(&gateway, "/api/public/rankings?limit=3&city=Cali").await;
    let before_vote = asked();
    vote(&gateway, KNOWN_VIDEO, Some(gateway.bearer())).await;
    let after_vote = anonymous_get(&gateway, "/api/public/rankings?limit=3").await;

    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(again.json(), first.json());
    assert_eq!(other_city.json()[0]["city"], "Cali");
    assert_eq!(before_vote, 2, "the repeated page must not reach votes");
    assert_eq!(after_vote.json(), first.json());
    assert_eq!(asked(), 3, "a vote makes the next read ask votes again");
}

#[tokio::test]
async fn bad_ranking_parameters_are_400_invalid_parameter() {
    let gateway = Gateway::start().await;

    for query in [
        "limit=0",
        "limit=101",
        "limit=abc",
        "limit=-1",
        "offset=-1",
        "offset=x",
        "offset=1e3",
        "limit=1&limit=2",
    ] {
        let reply = anonymous_get(&gateway, &format!("/api/public/rankings?{query}")).await;

        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(reply.json()["code"], "invalid_parameter", "{query}");
        assert!(reply.json()["error"].is_string(), "{query}");
    }
    assert!(rankings_asked(&gateway).is_empty());
}

#[tokio::test]
async fn my_votes_is_a_plain_array_of_video_ids_and_needs_a_token() {
    let gateway = Gateway::start().await;

    let mine = gateway.get("/api/user/votes").await;
    let anonymous = anonymous_get(&gateway, "/api/user/votes").await;

    assert_eq!(mine.status, StatusCode::OK);
    assert_eq!(mine.json(), json!([KNOWN_VIDEO, FAILED_VIDEO]));
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.json()["code"], "missing_token");
}
