//! DESIGN §3 rows 10–12 through the running platform: a published video receives one vote
//! per user, the owner climbs the rankings, and the voter sees the vote in their list.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{Platform, write_valid_clip};

/// Debug builds on two shared cores: generous, but a wedged job still fails the test.
const PROCESSING_LIMIT: Duration = Duration::from_secs(300);

fn entry_of<'a>(rankings: &'a Value, user_id: &str) -> Option<&'a Value> {
    rankings
        .as_array()
        .expect("rankings are an array")
        .iter()
        .find(|entry| entry["user_id"] == user_id)
}

#[tokio::test]
async fn a_published_video_gets_one_vote_per_user_and_its_owner_is_ranked() {
    let platform = Platform::from_env();
    // A city of its own, so the city ranking holds only this test's player.
    let city = format!("Villa {}", &Uuid::new_v4().simple().to_string()[..8]);
    let owner = platform
        .sign_up_as("Ana", "Votada", &city)
        .await
        .expect("owner signs up");
    let voter = platform
        .sign_up_as("Beto", "Votante", "Cali")
        .await
        .expect("voter signs up");
    let folder = tempfile::tempdir().expect("temp dir");
    let clip = folder.path().join("vote-me.mp4");
    write_valid_clip(&clip);
    let (status, created) = platform
        .upload(&owner.token, &clip, "Triple para votar")
        .await
        .expect("upload");
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let video_id = created["video_id"].as_str().expect("video_id").to_owned();
    let vote_path = format!("/api/public/videos/{video_id}/vote");
    platform
        .wait_until_processed(&owner.token, &video_id, PROCESSING_LIMIT)
        .await
        .expect("processing finishes");

    // Not yet published: the owner sees a 400, anybody else a 404 (it is private).
    let (status, body) = platform
        .post_json(Some(&owner.token), &vote_path, &Value::Null)
        .await
        .expect("own vote answered");
    assert_eq!(
        (status, &body["code"]),
        (StatusCode::BAD_REQUEST, &json!("not_published"))
    );
    let (status, body) = platform
        .post_json(Some(&voter.token), &vote_path, &Value::Null)
        .await
        .expect("private vote answered");
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    let publish = format!("/api/videos/{video_id}/publish");
    let (status, body) = platform
        .post_json(Some(&owner.token), &publish, &Value::Null)
        .await
        .expect("publish answered");
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, body) = platform
        .post_json(Some(&voter.token), &vote_path, &Value::Null)
        .await
        .expect("vote answered");
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["message"].is_string(), "{body}");
    let (status, body) = platform
        .post_json(Some(&voter.token), &vote_path, &Value::Null)
        .await
        .expect("second vote answered");
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "already_voted");

    let city_query = format!(
        "/api/public/rankings?city={}",
        city.to_uppercase().replace(' ', "%20")
    );
    let (status, in_city) = platform
        .get_json(None, &city_query)
        .await
        .expect("city rankings");
    assert_eq!(status, StatusCode::OK, "{in_city}");
    assert_eq!(
        in_city,
        json!([{
            "position": 1, "username": "Ana Votada", "city": city, "votes": 1,
            "user_id": owner.user_id,
        }])
    );
    let (status, global) = platform
        .get_json(None, "/api/public/rankings?limit=100")
        .await
        .expect("global rankings");
    assert_eq!(status, StatusCode::OK, "{global}");
    let ranked = entry_of(&global, &owner.user_id).expect("the owner is ranked globally");
    assert_eq!(ranked["votes"], 1);

    let (status, mine) = platform
        .get_json(Some(&voter.token), "/api/user/votes")
        .await
        .expect("my votes");
    assert_eq!((status, mine), (StatusCode::OK, json!([video_id])));
    let (status, detail) = platform
        .get_json(Some(&owner.token), &format!("/api/videos/{video_id}"))
        .await
        .expect("detail");
    assert_eq!((status, &detail["votes"]), (StatusCode::OK, &json!(1)));
}

#[tokio::test]
async fn votes_for_unknown_videos_are_404_and_without_a_token_401() {
    let platform = Platform::from_env();
    let voter = platform
        .sign_up_as("Ceci", "Curiosa", "Pasto")
        .await
        .expect("voter signs up");
    let unknown = format!("/api/public/videos/{}/vote", Uuid::now_v7());

    let (status, body) = platform
        .post_json(Some(&voter.token), &unknown, &Value::Null)
        .await
        .expect("answered");
    let (anonymous, anonymous_body) = platform
        .post_json(None, &unknown, &Value::Null)
        .await
        .expect("answered");
    let (mine_status, mine) = platform
        .get_json(Some(&voter.token), "/api/user/votes")
        .await
        .expect("my votes");

    assert_eq!(
        (status, &body["code"]),
        (StatusCode::NOT_FOUND, &json!("video_not_found"))
    );
    assert_eq!(anonymous, StatusCode::UNAUTHORIZED, "{anonymous_body}");
    assert_eq!((mine_status, mine), (StatusCode::OK, json!([])));
}

#[tokio::test]
async fn bad_ranking_parameters_are_400_invalid_parameter() {
    let platform = Platform::from_env();

    for query in ["limit=0", "limit=101", "offset=-1", "limit=ten"] {
        let (status, body) = platform
            .get_json(None, &format!("/api/public/rankings?{query}"))
            .await
            .expect("answered");

        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["code"], "invalid_parameter", "{query}");
    }
}
