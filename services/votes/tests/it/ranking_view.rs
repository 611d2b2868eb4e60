//! The Redis view of the rankings: moved by votes, served while healthy, rebuilt when gone,
//! repaired when it drifted, bypassed while Redis is down; and the vote rate limit.

use std::time::Duration;

use anb_grpc::reason_of;
use anb_proto::votes::v1::{CastVoteRequest, ListRankingsRequest, RankingEntry};
use anb_testkit::OwnRedis;
use anb_votes::ranking::{self, Page};
use fred::prelude::{KeysInterface as _, SortedSetsInterface as _};
use tonic::Code;
use uuid::Uuid;

use crate::{
    fake_videos::{player, votable},
    harness::{Running, start_fresh, start_tuned},
};

/// A published video of a new player; returns the video and the player's id.
fn add_player(votes: &Running, first: &str, last: &str, city: &str) -> (Uuid, Uuid) {
    let (video, owner) = (Uuid::now_v7(), Uuid::now_v7());
    votes.add_video(votable(video, player(owner, first, last, city), true));
    (video, owner)
}

async fn ranked(votes: &Running, city: Option<&str>) -> Vec<RankingEntry> {
    let request = ListRankingsRequest {
        limit: 100,
        offset: 0,
        city: city.map(str::to_owned),
    };
    votes
        .client
        .clone()
        .list_rankings(request)
        .await
        .expect("rankings listed")
        .into_inner()
        .entries
}

fn summary(entries: &[RankingEntry]) -> Vec<(u32, String, String, i64)> {
    entries
        .iter()
        .map(|e| (e.position, e.username.clone(), e.city.clone(), e.votes))
        .collect()
}

/// The vote count Redis holds for `owner` in the global set, if any.
async fn redis_votes(redis: &fred::prelude::Client, prefix: &str, owner: Uuid) -> Option<i64> {
    let key = format!("{prefix}:votes:rank:all");
    let members: Vec<(String, f64)> = redis
        .zrange(&key, 0, -1, None, false, None, true)
        .await
        .expect("set read");
    members
        .into_iter()
        .find(|(member, _)| member.ends_with(&owner.to_string()))
        .map(|(_, score)| -score as i64)
}

/// Waits (bounded) until `owner` has `expected` votes in Redis.
async fn until_redis_has(redis: &fred::prelude::Client, prefix: &str, owner: Uuid, expected: i64) {
    for _ in 0..400 {
        if redis_votes(redis, prefix, owner).await == Some(expected) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("redis never showed {expected} votes for {owner}");
}

#[tokio::test]
async fn votes_move_the_redis_view_and_drift_is_repaired_by_the_reconciler() {
    let votes = start_fresh().await;
    let (video, owner) = add_player(&votes, "Ana", "Pérez", "Cali");
    votes.cast_by_new_users(video, 3).await;
    until_redis_has(&votes.redis, &votes.prefix, owner, 3).await;

    // Damage the view: rankings now show the damage, proving they are read from Redis.
    let key = format!("{}:votes:rank:all", votes.prefix);
    let members: Vec<String> = votes
        .redis
        .zrange(&key, 0, -1, None, false, None, false)
        .await
        .expect("read");
    let _: i64 = votes
        .redis
        .zadd(&key, None, None, false, false, (-40.0, members[0].clone()))
        .await
        .expect("damaged");
    let damaged = ranked(&votes, None).await;
    votes.sync_view().await;
    let repaired = ranked(&votes, None).await;

    assert_eq!(damaged[0].votes, 40);
    assert_eq!(
        summary(&repaired),
        [(1, "Ana Pérez".into(), "Cali".into(), 3)]
    );
    assert_eq!(
        redis_votes(&votes.redis, &votes.prefix, owner).await,
        Some(3)
    );
    votes.finish().await;
}

#[tokio::test]
async fn a_flushed_view_is_answered_from_postgres_and_rebuilt() {
    let votes = start_fresh().await;
    let (video, owner) = add_player(&votes, "Luis", "Díaz", "Barranquilla");
    votes.cast_by_new_users(video, 2).await;
    until_redis_has(&votes.redis, &votes.prefix, owner, 2).await;

    let keys: Vec<String> = ["built", "all", "players", "cities", "city:barranquilla"]
        .iter()
        .map(|name| format!("{}:votes:rank:{name}", votes.prefix))
        .collect();
    let _: i64 = votes.redis.del(keys).await.expect("view flushed");
    let meanwhile = ranked(&votes, None).await;
    votes.cast_by_new_users(video, 1).await;

    assert_eq!(
        summary(&meanwhile),
        [(1, "Luis Díaz".into(), "Barranquilla".into(), 2)]
    );
    until_redis_has(&votes.redis, &votes.prefix, owner, 3).await;
    assert_eq!(ranked(&votes, Some("barranquilla")).await[0].votes, 3);
    votes.finish().await;
}

#[tokio::test]
async fn cities_match_without_case_or_accents_and_show_as_written() {
    let votes = start_fresh().await;
    let (bogota, _) = add_player(&votes, "Ana", "Pérez", "Bogotá");
    let (cali, _) = add_player(&votes, "Luis", "Díaz", "Cali");
    votes.cast_by_new_users(bogota, 2).await;
    votes.cast_by_new_users(cali, 1).await;
    let expected = [(1, "Ana Pérez".to_owned(), "Bogotá".to_owned(), 2)];

    for asked in ["bogota", "BOGOTÁ", " Bogotá "] {
        assert_eq!(
            summary(&ranked(&votes, Some(asked)).await),
            expected,
            "{asked:?}"
        );
        let page = Page::parse(10, 0, Some(asked.to_owned())).expect("valid page");
        let from_postgres = ranking::rankings(&votes.db, &page).await.expect("ranked");
        assert_eq!(from_postgres.len(), 1, "{asked:?} in postgres");
        assert_eq!(from_postgres[0].city, "Bogotá");
    }
    votes.finish().await;
}

#[tokio::test]
async fn ties_served_from_redis_follow_the_same_rule_as_postgres() {
    let votes = start_fresh().await;
    for (first, last) in [
        ("beto", "Ruiz"),
        ("Ana", "Zea"),
        ("ana", "Zea"),
        ("Ángel", "Ortiz"),
        ("Ana", "Z"),
    ] {
        let (video, _) = add_player(&votes, first, last, "Cali");
        votes.cast_by_new_users(video, 2).await;
    }
    let (leader, owner) = add_player(&votes, "Zoe", "Alba", "Cali");
    votes.cast_by_new_users(leader, 3).await;
    until_redis_has(&votes.redis, &votes.prefix, owner, 3).await;

    let from_redis = ranked(&votes, None).await;
    let page = Page::parse(100, 0, None).expect("valid page");
    let from_postgres: Vec<RankingEntry> = ranking::rankings(&votes.db, &page)
        .await
        .expect("ranked")
        .into_iter()
        .map(Into::into)
        .collect();

    assert_eq!(from_redis, from_postgres);
    assert_eq!(from_redis[0].username, "Zoe Alba");
    assert_eq!(from_redis.len(), 6);
    votes.finish().await;
}

#[tokio::test]
async fn while_redis_is_down_votes_count_and_rankings_come_from_postgres() {
    let mut redis = OwnRedis::start();
    let url = redis.url();
    let votes = start_tuned(|config| config.redis_url = url).await;
    let own = votes.redis.clone();
    let (video, owner) = add_player(&votes, "Ana", "Pérez", "Cali");
    votes.cast_by_new_users(video, 2).await;
    until_redis_has(&own, &votes.prefix, owner, 2).await;

    redis.kill();
    votes.cast_by_new_users(video, 3).await;
    let meanwhile = ranked(&votes, Some("cali")).await;
    redis.restart();

    assert_eq!(
        summary(&meanwhile),
        [(1, "Ana Pérez".into(), "Cali".into(), 5)]
    );
    until_redis_has(&own, &votes.prefix, owner, 5).await;
    assert_eq!(ranked(&votes, None).await[0].votes, 5);
    votes.finish().await;
}

#[tokio::test]
async fn votes_past_the_rate_limit_are_resource_exhausted_with_retry_after() {
    let votes = start_tuned(|config| {
        config.rate_limit_votes = 2;
        config.rate_limit_window_secs = 60;
    })
    .await;
    let voter = Uuid::now_v7();
    let mut answers = Vec::new();
    for _ in 0..3 {
        let (video, _) = add_player(&votes, "Ana", "Pérez", "Cali");
        let request = votes.as_user(
            voter,
            CastVoteRequest {
                video_id: video.to_string(),
            },
        );
        answers.push(votes.client.clone().cast_vote(request).await);
    }
    let other = votes.as_user(
        Uuid::now_v7(),
        CastVoteRequest {
            video_id: Uuid::now_v7().to_string(),
        },
    );
    let other_user = votes.client.clone().cast_vote(other).await;

    let refused = answers
        .pop()
        .expect("three answers")
        .expect_err("third vote refused");
    assert!(answers.iter().all(Result::is_ok));
    assert_eq!(refused.code(), Code::ResourceExhausted);
    assert_eq!(reason_of(&refused), Some("vote_rate_limited"));
    let wait: u64 = refused
        .metadata()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("retry-after");
    assert!((1..=60).contains(&wait), "retry-after {wait}");
    assert_eq!(
        other_user.expect_err("unknown video").code(),
        Code::NotFound
    );
    votes.finish().await;
}
