use anb_grpc::reason_of;
use anb_proto::votes::v1::{CastVoteRequest, CountVotesRequest};
use tonic::{Code, Request};
use uuid::Uuid;

use crate::{
    fake_videos::{player, votable},
    harness::{Running, start_fresh, start_without_videos},
};

fn vote_for(video: Uuid) -> CastVoteRequest {
    CastVoteRequest {
        video_id: video.to_string(),
    }
}

async fn votes_of(votes: &mut Running, video: Uuid) -> i64 {
    let id = video.to_string();
    let counts = votes
        .client
        .count_votes(CountVotesRequest {
            video_ids: vec![id.clone()],
        })
        .await
        .expect("counted")
        .into_inner();
    counts.votes[&id]
}

/// A running service that knows one published video of a player from Cali.
async fn with_published_video() -> (Running, Uuid) {
    let votes = start_fresh().await;
    let video = Uuid::now_v7();
    let owner = player(Uuid::now_v7(), "Ana", "Pérez", "Cali");
    votes.add_video(votable(video, owner, true));
    (votes, video)
}

#[tokio::test]
async fn cast_vote_counts_once_and_a_second_vote_is_already_exists() {
    let (mut votes, video) = with_published_video().await;
    let voter = Uuid::now_v7();

    let first = votes
        .client
        .cast_vote(votes.as_user(voter, vote_for(video)))
        .await;
    let second = votes
        .client
        .cast_vote(votes.as_user(voter, vote_for(video)))
        .await;

    first.expect("first vote accepted");
    let second = second.expect_err("second vote refused");
    assert_eq!(second.code(), Code::AlreadyExists);
    assert_eq!(reason_of(&second), Some("already_voted"));
    assert_eq!(votes_of(&mut votes, video).await, 1);
    votes.finish().await;
}

#[tokio::test]
async fn twenty_simultaneous_votes_of_one_user_store_exactly_one() {
    let (mut votes, video) = with_published_video().await;
    let voter = Uuid::now_v7();
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let mut client = votes.client.clone();
        let request = votes.as_user(voter, vote_for(video));
        calls.spawn(async move { client.cast_vote(request).await });
    }

    let outcomes = calls.join_all().await;

    let accepted = outcomes.iter().filter(|outcome| outcome.is_ok()).count();
    let duplicates = outcomes
        .iter()
        .filter_map(|outcome| outcome.as_ref().err())
        .filter(|status| reason_of(status) == Some("already_voted"))
        .count();
    assert_eq!((accepted, duplicates), (1, 19));
    assert_eq!(votes_of(&mut votes, video).await, 1);
    votes.finish().await;
}

#[tokio::test]
async fn different_users_each_count_for_the_same_video() {
    let (mut votes, video) = with_published_video().await;

    for _ in 0..3 {
        let request = votes.as_user(Uuid::now_v7(), vote_for(video));
        votes
            .client
            .cast_vote(request)
            .await
            .expect("vote accepted");
    }

    assert_eq!(votes_of(&mut votes, video).await, 3);
    votes.finish().await;
}

#[tokio::test]
async fn a_video_not_yet_published_is_failed_precondition_not_published() {
    let mut votes = start_fresh().await;
    let video = Uuid::now_v7();
    votes.add_video(votable(
        video,
        player(Uuid::now_v7(), "Ana", "Pérez", "Cali"),
        false,
    ));

    let refused = votes
        .client
        .cast_vote(votes.as_user(Uuid::now_v7(), vote_for(video)))
        .await
        .expect_err("unpublished video refused");

    assert_eq!(refused.code(), Code::FailedPrecondition);
    assert_eq!(reason_of(&refused), Some("not_published"));
    assert_eq!(votes_of(&mut votes, video).await, 0);
    votes.finish().await;
}

#[tokio::test]
async fn a_video_videos_does_not_show_the_caller_is_not_found() {
    let mut votes = start_fresh().await;

    let refused = votes
        .client
        .cast_vote(votes.as_user(Uuid::now_v7(), vote_for(Uuid::now_v7())))
        .await
        .expect_err("unknown video refused");

    assert_eq!(refused.code(), Code::NotFound);
    assert_eq!(reason_of(&refused), Some("video_not_found"));
    votes.finish().await;
}

#[tokio::test]
async fn the_voters_own_credential_is_what_videos_sees() {
    let (mut votes, video) = with_published_video().await;
    let voter = Uuid::now_v7();
    let mut request = Request::new(vote_for(video));
    let bearer = votes.bearer(voter);
    request
        .metadata_mut()
        .insert("authorization", bearer.parse().expect("ASCII token"));

    votes
        .client
        .cast_vote(request)
        .await
        .expect("vote accepted");

    assert_eq!(votes.forwarded_authorization(), vec![Some(bearer)]);
    votes.finish().await;
}

#[tokio::test]
async fn voting_without_a_valid_token_is_unauthenticated() {
    let (mut votes, video) = with_published_video().await;
    let mut forged = Request::new(vote_for(video));
    forged
        .metadata_mut()
        .insert("authorization", "Bearer a.b.c".parse().expect("ASCII"));

    let anonymous = votes.client.cast_vote(Request::new(vote_for(video))).await;
    let forged = votes.client.cast_vote(forged).await;

    let anonymous = anonymous.expect_err("no token");
    assert_eq!(anonymous.code(), Code::Unauthenticated);
    assert_eq!(reason_of(&anonymous), Some("missing_token"));
    assert_eq!(forged.expect_err("bad token").code(), Code::Unauthenticated);
    assert!(votes.forwarded_authorization().is_empty());
    votes.finish().await;
}

#[tokio::test]
async fn a_video_id_that_is_not_a_uuid_is_invalid_argument() {
    let mut votes = start_fresh().await;
    let request = votes.as_user(
        Uuid::now_v7(),
        CastVoteRequest {
            video_id: "../etc".to_owned(),
        },
    );

    let refused = votes.client.cast_vote(request).await.expect_err("refused");

    assert_eq!(refused.code(), Code::InvalidArgument);
    assert_eq!(reason_of(&refused), Some("invalid_video_id"));
    votes.finish().await;
}

#[tokio::test]
async fn voting_while_videos_is_down_is_unavailable_and_stores_nothing() {
    let mut votes = start_without_videos().await;
    let video = Uuid::now_v7();

    let refused = votes
        .client
        .cast_vote(votes.as_user(Uuid::now_v7(), vote_for(video)))
        .await
        .expect_err("videos unreachable");

    assert_eq!(refused.code(), Code::Unavailable);
    assert_eq!(votes_of(&mut votes, video).await, 0);
    votes.finish().await;
}
