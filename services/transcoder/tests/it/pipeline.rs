use std::time::Duration;

use anb_proto::videos::v1::{TranscodeFailed, record_transcode_result_request::Outcome};
use anb_storage::MediaKind;
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

use crate::{Harness, eventually, expected_output_ms, fake_videos::Call};

const TRANSCODE_LIMIT: Duration = Duration::from_secs(180);

#[tokio::test]
async fn a_clip_is_transcoded_reported_as_succeeded_and_only_then_acknowledged() {
    let harness = Harness::new(0).await;
    let clip_path = harness.storage.temp_dir().join("clip.mp4");
    let clip = anb_media::fixtures::ClipSpec {
        width: 640,
        height: 360,
        seconds: 3.0,
        fps: 30,
        with_audio: true,
    };
    anb_media::fixtures::write_clip(&clip_path, &clip).expect("clip written");
    let running = harness.start().await;

    let job = harness
        .enqueue_original(&std::fs::read(&clip_path).expect("clip"))
        .await;
    let outcome = eventually(TRANSCODE_LIMIT, || async {
        harness.videos.outcomes().pop()
    })
    .await;
    let stats = eventually(Duration::from_secs(5), || async {
        Some(running.stats().await).filter(|stats| stats.processed_by_this_worker == 1)
    })
    .await;

    let Outcome::Succeeded(succeeded) = outcome else {
        panic!("expected success, got {outcome:?}")
    };
    let video_id = job.video_id.to_string();
    assert_eq!(
        harness.videos.calls(),
        [
            Call::MarkProcessing {
                video_id: video_id.clone()
            },
            Call::Record {
                video_id,
                outcome: Outcome::Succeeded(succeeded)
            },
        ]
    );
    let expected_ms = expected_output_ms(3);
    assert!(
        (succeeded.duration_ms - expected_ms).abs() <= 34,
        "duration {} ms, expected {expected_ms} ms",
        succeeded.duration_ms
    );
    let output =
        anb_media::probe(&harness.path(MediaKind::Processed, &job)).expect("output probes");
    assert_eq!(
        (output.width, output.height, output.has_audio),
        (1280, 720, false)
    );
    assert_eq!(output.duration.as_millis() as i64, succeeded.duration_ms);
    let poster = std::fs::read(harness.path(MediaKind::Poster, &job)).expect("poster");
    assert!(poster.starts_with(&[0xFF, 0xD8]), "the poster is a JPEG");
    assert_eq!(
        (stats.stream_length, stats.pending, stats.dead_letters),
        (0, 0, 0)
    );
    assert_eq!(stats.failed_by_this_worker, 0);
    running.stop().await.expect("clean shutdown");
    harness.cleanup().await;
}

#[tokio::test]
async fn a_garbage_original_fails_the_video_after_max_attempts_with_one_dead_letter() {
    let harness = Harness::new(0).await;
    let running = harness.start().await;

    let job = harness
        .enqueue_original(b"this is not a video at all")
        .await;
    let outcome = eventually(TRANSCODE_LIMIT, || async {
        harness.videos.outcomes().pop()
    })
    .await;
    let dead = eventually(Duration::from_secs(5), || async {
        Some(harness.queue.dead_letters(10).await.expect("dead letters"))
            .filter(|dead| !dead.is_empty())
    })
    .await;
    let stats = running.stats().await;

    let Outcome::Failed(TranscodeFailed { reason }) = outcome else {
        panic!("expected failure, got {outcome:?}")
    };
    assert!(!reason.is_empty());
    assert_eq!(harness.videos.outcomes().len(), 1, "one final report");
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].deliveries, harness.config.max_attempts);
    assert_eq!(dead[0].reason, reason);
    assert!(dead[0].payload.contains(&job.video_id.to_string()));
    assert_eq!(
        (stats.stream_length, stats.pending, stats.dead_letters),
        (0, 0, 1)
    );
    assert_eq!(
        (stats.processed_by_this_worker, stats.failed_by_this_worker),
        (0, 1)
    );
    running.stop().await.expect("clean shutdown");
    harness.cleanup().await;
}

#[tokio::test]
async fn health_reports_serving_until_shutdown() {
    let harness = Harness::new(0).await;
    let running = harness.start().await;
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", running.address))
        .expect("address")
        .connect()
        .await
        .expect("transcoder reachable");
    let mut health = HealthClient::new(channel);

    let check = |service: &str| HealthCheckRequest {
        service: service.to_owned(),
    };
    let whole = health.check(check("")).await.expect("health").into_inner();
    let named = health
        .check(check("anb.transcoder.v1.TranscoderService"))
        .await
        .expect("health")
        .into_inner();

    assert_eq!(whole.status(), ServingStatus::Serving);
    assert_eq!(named.status(), ServingStatus::Serving);
    running.stop().await.expect("clean shutdown");
    harness.cleanup().await;
}
