use anb_grpc::reason_of;
use anb_proto::votes::v1::CountVotesRequest;
use sea_orm::SqlErr;
use tonic::Code;
use uuid::Uuid;

use crate::harness::start_fresh;

fn request(ids: &[String]) -> CountVotesRequest {
    CountVotesRequest {
        video_ids: ids.to_vec(),
    }
}

#[tokio::test]
async fn count_votes_counts_each_requested_video_and_zero_for_none() {
    let mut votes = start_fresh().await;
    let (popular, single, silent, unrequested) = (
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
    );
    for _ in 0..3 {
        votes
            .insert_vote(Uuid::now_v7(), popular)
            .await
            .expect("vote stored");
    }
    votes
        .insert_vote(Uuid::now_v7(), single)
        .await
        .expect("vote stored");
    votes
        .insert_vote(Uuid::now_v7(), unrequested)
        .await
        .expect("vote stored");
    let ids = [popular, single, silent].map(|id| id.to_string());

    let counts = votes
        .client
        .count_votes(request(&ids))
        .await
        .expect("counted")
        .into_inner();

    assert_eq!(counts.votes.len(), 3);
    assert_eq!(counts.votes[&ids[0]], 3);
    assert_eq!(counts.votes[&ids[1]], 1);
    assert_eq!(counts.votes[&ids[2]], 0);
    votes.finish().await;
}

#[tokio::test]
async fn count_votes_answers_under_the_id_spelling_the_caller_sent() {
    let mut votes = start_fresh().await;
    let video = Uuid::now_v7();
    votes
        .insert_vote(Uuid::now_v7(), video)
        .await
        .expect("vote stored");
    let upper = video.hyphenated().to_string().to_uppercase();
    let simple = video.simple().to_string();

    let counts = votes
        .client
        .count_votes(request(&[upper.clone(), simple.clone()]))
        .await
        .expect("counted")
        .into_inner();

    assert_eq!(counts.votes[&upper], 1);
    assert_eq!(counts.votes[&simple], 1);
    votes.finish().await;
}

#[tokio::test]
async fn count_votes_of_no_videos_is_empty() {
    let mut votes = start_fresh().await;

    let counts = votes
        .client
        .count_votes(request(&[]))
        .await
        .expect("counted")
        .into_inner();

    assert!(counts.votes.is_empty());
    votes.finish().await;
}

#[tokio::test]
async fn count_votes_refuses_invalid_ids_and_more_than_500() {
    let mut votes = start_fresh().await;
    let valid = Uuid::now_v7().to_string();
    let too_many = vec![valid.clone(); 501];
    let five_hundred = vec![valid.clone(); 500];

    let invalid = votes
        .client
        .count_votes(request(&[valid, "video-1".to_owned()]))
        .await;
    let excess = votes.client.count_votes(request(&too_many)).await;
    let limit = votes.client.count_votes(request(&five_hundred)).await;

    let invalid = invalid.expect_err("an id is not a UUID");
    assert_eq!(invalid.code(), Code::InvalidArgument);
    assert_eq!(reason_of(&invalid), Some("invalid_video_id"));
    let excess = excess.expect_err("too many ids");
    assert_eq!(excess.code(), Code::InvalidArgument);
    assert_eq!(reason_of(&excess), Some("too_many_ids"));
    assert_eq!(
        limit.expect("500 ids are allowed").into_inner().votes.len(),
        1
    );
    votes.finish().await;
}

#[tokio::test]
async fn the_database_refuses_a_second_vote_of_one_user_for_one_video() {
    let votes = start_fresh().await;
    let (user, video) = (Uuid::now_v7(), Uuid::now_v7());
    votes
        .insert_vote(user, video)
        .await
        .expect("first vote stored");

    let second = votes
        .insert_vote(user, video)
        .await
        .expect_err("second vote refused");

    assert!(matches!(
        second.sql_err(),
        Some(SqlErr::UniqueConstraintViolation(_))
    ));
    votes.finish().await;
}
