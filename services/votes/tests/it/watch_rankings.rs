//! WatchRankings: a snapshot at once, then one whenever the watched top N changed, whether
//! the vote came through this replica or another one.

use std::time::Duration;

use anb_proto::votes::v1::{RankingsSnapshot, WatchRankingsRequest};
use anb_votes::{ids::UserId, ranking, videos::Owner};
use tonic::{Code, Streaming};
use uuid::Uuid;

use crate::{
    fake_videos::{player, votable},
    harness::{Owner as RowOwner, Running, start_tuned},
};

/// Generous bound for an update that should arrive in a fraction of a second; only a hang
/// or a lost update reaches it.
const PATIENCE: Duration = Duration::from_secs(10);

async fn next(stream: &mut Streaming<RankingsSnapshot>) -> Vec<(String, i64)> {
    let snapshot = tokio::time::timeout(PATIENCE, stream.message())
        .await
        .expect("a snapshot arrives")
        .expect("stream healthy")
        .expect("stream open");
    snapshot
        .entries
        .into_iter()
        .map(|e| (e.username, e.votes))
        .collect()
}

async fn watch(votes: &Running, limit: u32, city: Option<&str>) -> Streaming<RankingsSnapshot> {
    let request = WatchRankingsRequest {
        limit,
        city: city.map(str::to_owned),
    };
    votes
        .client
        .clone()
        .watch_rankings(request)
        .await
        .expect("watch accepted")
        .into_inner()
}

/// The poll is set far beyond the test so only announcements can deliver updates.
async fn start() -> Running {
    start_tuned(|config| config.watch_poll_secs = 3600).await
}

#[tokio::test]
async fn a_watcher_gets_the_rankings_at_once_and_again_after_each_vote() {
    let votes = start().await;
    let (video, owner) = (Uuid::now_v7(), Uuid::now_v7());
    votes.add_video(votable(
        video,
        player(owner, "Ana", "Pérez", "Bogotá"),
        true,
    ));
    votes.cast_by_new_users(video, 1).await;
    let mut stream = watch(&votes, 5, Some("bogota")).await;

    let first = next(&mut stream).await;
    votes.cast_by_new_users(video, 1).await;
    let second = next(&mut stream).await;

    assert_eq!(first, [("Ana Pérez".to_owned(), 1)]);
    assert_eq!(second, [("Ana Pérez".to_owned(), 2)]);
    votes.finish().await;
}

#[tokio::test]
async fn a_vote_recorded_by_another_replica_reaches_the_watcher() {
    let votes = start().await;
    let mut stream = watch(&votes, 0, None).await;
    let empty = next(&mut stream).await;

    // What another replica does for a vote: commit the row, then move the Redis view (which
    // announces the change on the shared channel).
    let owner = RowOwner {
        id: Uuid::now_v7(),
        name: "Luis Díaz",
        city: "Cali",
    };
    votes
        .insert_vote_for(Uuid::now_v7(), Uuid::now_v7(), &owner)
        .await
        .expect("row stored");
    let snapshot_owner = Owner {
        user_id: UserId(owner.id),
        display_name: owner.name.to_owned(),
        city: owner.city.to_owned(),
    };
    let scores = ranking::player_scores(&votes.db, &[snapshot_owner])
        .await
        .expect("counted");
    votes
        .view()
        .cache
        .record(&scores)
        .await
        .expect("view moved");
    let after = next(&mut stream).await;

    assert!(empty.is_empty());
    assert_eq!(after, [("Luis Díaz".to_owned(), 1)]);
    votes.finish().await;
}

#[tokio::test]
async fn a_limit_above_one_hundred_is_invalid_argument() {
    let votes = start().await;
    let request = WatchRankingsRequest {
        limit: 101,
        city: None,
    };

    let refused = votes.client.clone().watch_rankings(request).await;

    assert_eq!(refused.expect_err("refused").code(), Code::InvalidArgument);
    votes.finish().await;
}
