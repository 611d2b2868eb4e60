//! The operator API over gRPC: list, read and re-drive dead letters.

use std::time::Duration;

use anb_grpc::reason_of;
use anb_proto::{
    transcoder::v1::{
        GetDeadLetterRequest, ListDeadLettersRequest, RedriveDeadLetterRequest,
        transcoder_service_client::TranscoderServiceClient,
    },
    videos::v1::record_transcode_result_request::Outcome,
};
use anb_storage::MediaKind;
use tonic::{Code, transport::Channel};

use crate::{Harness, eventually};

const TRANSCODE_LIMIT: Duration = Duration::from_secs(180);

async fn operator(address: std::net::SocketAddr) -> TranscoderServiceClient<Channel> {
    TranscoderServiceClient::connect(format!("http://{address}"))
        .await
        .expect("transcoder reachable")
}

#[tokio::test]
async fn a_dead_letter_is_listed_read_and_once_fixed_redriven_to_a_processed_video() {
    let harness = Harness::new(0).await;
    let running = harness.start().await;
    let mut client = operator(running.address).await;
    let job = harness
        .enqueue_original(b"not a video, uploaded by mistake")
        .await;
    eventually(TRANSCODE_LIMIT, || async {
        Some(harness.queue.dead_letters(1).await.expect("dead letters"))
            .filter(|dead| !dead.is_empty())
    })
    .await;

    let listed = client
        .list_dead_letters(ListDeadLettersRequest {
            limit: 10,
            after: String::new(),
        })
        .await
        .expect("list")
        .into_inner();
    let letter = listed.dead_letters[0].clone();
    let read = client
        .get_dead_letter(GetDeadLetterRequest {
            id: letter.id.clone(),
        })
        .await
        .expect("get")
        .into_inner();
    // The operator replaces the broken original, then re-drives the job.
    let clip = harness.storage.temp_dir().join("fixed.mp4");
    anb_media::fixtures::write_clip(
        &clip,
        &anb_media::fixtures::ClipSpec {
            width: 640,
            height: 360,
            seconds: 2.0,
            fps: 30,
            with_audio: false,
        },
    )
    .expect("clip written");
    std::fs::copy(&clip, harness.path(MediaKind::Original, &job)).expect("original fixed");
    let redriven = client
        .redrive_dead_letter(RedriveDeadLetterRequest {
            id: letter.id.clone(),
        })
        .await
        .expect("redrive")
        .into_inner();
    let outcome = eventually(TRANSCODE_LIMIT, || async {
        harness
            .videos
            .outcomes()
            .into_iter()
            .find(|outcome| matches!(outcome, Outcome::Succeeded(_)))
    })
    .await;
    let second = client
        .redrive_dead_letter(RedriveDeadLetterRequest {
            id: letter.id.clone(),
        })
        .await
        .expect_err("already re-driven");
    let stats = eventually(Duration::from_secs(5), || async {
        Some(running.stats().await).filter(|stats| stats.processed_by_this_worker == 1)
    })
    .await;

    assert_eq!(listed.dead_letters.len(), 1);
    assert_eq!(listed.next_after, "");
    assert_eq!(letter.video_id, job.video_id.to_string());
    assert_eq!(letter.deliveries, harness.config.max_attempts);
    assert!(!letter.reason.is_empty());
    assert_eq!(read, letter);
    assert!(!redriven.entry_id.is_empty());
    assert!(matches!(outcome, Outcome::Succeeded(_)));
    assert_eq!(
        (second.code(), reason_of(&second)),
        (Code::NotFound, Some("dead_letter_not_found"))
    );
    assert_eq!(
        (stats.stream_length, stats.pending, stats.dead_letters),
        (0, 0, 0)
    );
    assert!(harness.path(MediaKind::Processed, &job).exists());
    running.stop().await.expect("clean shutdown");
    harness.cleanup().await;
}

#[tokio::test]
async fn bad_ids_limits_and_unknown_dead_letters_get_their_reasons() {
    let harness = Harness::new(0).await;
    let running = harness.start().await;
    let mut client = operator(running.address).await;

    let not_an_id = client
        .get_dead_letter(GetDeadLetterRequest {
            id: "+inf; FLUSHALL".to_owned(),
        })
        .await
        .expect_err("refused");
    let unknown = client
        .redrive_dead_letter(RedriveDeadLetterRequest {
            id: "1-0".to_owned(),
        })
        .await
        .expect_err("refused");
    let too_many = client
        .list_dead_letters(ListDeadLettersRequest {
            limit: 101,
            after: String::new(),
        })
        .await
        .expect_err("refused");
    let empty = client
        .list_dead_letters(ListDeadLettersRequest::default())
        .await
        .expect("an empty list")
        .into_inner();

    let reason = |status: &tonic::Status| (status.code(), reason_of(status).map(str::to_owned));
    assert_eq!(
        reason(&not_an_id),
        (Code::InvalidArgument, Some("invalid_id".to_owned()))
    );
    assert_eq!(
        reason(&unknown),
        (Code::NotFound, Some("dead_letter_not_found".to_owned()))
    );
    assert_eq!(
        reason(&too_many),
        (Code::InvalidArgument, Some("invalid_limit".to_owned()))
    );
    assert_eq!(
        (empty.dead_letters.len(), empty.next_after.as_str()),
        (0, "")
    );
    running.stop().await.expect("clean shutdown");
    harness.cleanup().await;
}
