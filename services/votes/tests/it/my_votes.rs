use anb_proto::votes::v1::{CastVoteRequest, ListMyVotesRequest};
use tonic::{Code, Request};
use uuid::Uuid;

use crate::{
    fake_videos::{player, votable},
    harness::start_fresh,
};

#[tokio::test]
async fn my_votes_lists_the_callers_videos_newest_first_and_nobody_elses() {
    let mut votes = start_fresh().await;
    let (me, someone) = (Uuid::now_v7(), Uuid::now_v7());
    let videos = [Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7()];
    for video in videos {
        votes.add_video(votable(
            video,
            player(Uuid::now_v7(), "Ana", "Pérez", "Cali"),
            true,
        ));
    }
    for video in &videos[..2] {
        let request = votes.as_user(
            me,
            CastVoteRequest {
                video_id: video.to_string(),
            },
        );
        votes
            .client
            .cast_vote(request)
            .await
            .expect("vote accepted");
    }
    let theirs = votes.as_user(
        someone,
        CastVoteRequest {
            video_id: videos[2].to_string(),
        },
    );
    votes.client.cast_vote(theirs).await.expect("vote accepted");

    let mine = votes
        .client
        .list_my_votes(votes.as_user(me, ListMyVotesRequest {}))
        .await
        .expect("listed")
        .into_inner()
        .video_ids;

    assert_eq!(mine, vec![videos[1].to_string(), videos[0].to_string()]);
    votes.finish().await;
}

#[tokio::test]
async fn my_votes_of_a_new_user_is_empty_and_needs_a_token() {
    let mut votes = start_fresh().await;

    let empty = votes
        .client
        .list_my_votes(votes.as_user(Uuid::now_v7(), ListMyVotesRequest {}))
        .await
        .expect("listed")
        .into_inner();
    let anonymous = votes
        .client
        .list_my_votes(Request::new(ListMyVotesRequest {}))
        .await;

    assert!(empty.video_ids.is_empty());
    assert_eq!(
        anonymous.expect_err("no token").code(),
        Code::Unauthenticated
    );
    votes.finish().await;
}
