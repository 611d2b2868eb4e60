use std::time::Duration;

use anb_media::fixtures::{ClipSpec, write_clip};
use reqwest::{StatusCode, header};

use crate::support::{Platform, sha256_of};

/// Debug builds on two shared cores: generous, but a wedged job still fails the test.
const PROCESSING_LIMIT: Duration = Duration::from_secs(300);

#[tokio::test]
async fn a_1080p_upload_with_audio_comes_out_as_the_showcase_format_and_the_original_is_kept() {
    let platform = Platform::from_env();
    let player = platform
        .sign_up_and_log_in()
        .await
        .expect("sign-up and log-in");
    let folder = tempfile::tempdir().expect("temp dir");
    let source = folder.path().join("dunk.mp4");
    write_clip(
        &source,
        &ClipSpec {
            width: 1920,
            height: 1080,
            seconds: 45.0,
            fps: 30,
            with_audio: true,
        },
    )
    .expect("fixture clip");

    let (status, created) = platform
        .upload(&player.token, &source, "Clavada de práctica")
        .await
        .expect("upload");
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let video_id = created["video_id"].as_str().expect("video_id").to_owned();
    assert!(
        created["task_id"].as_str().is_some_and(|id| !id.is_empty()),
        "{created}"
    );
    assert!(created["message"].as_str().is_some(), "{created}");

    let (status, mine) = platform
        .get_json(Some(&player.token), "/api/videos")
        .await
        .expect("list");
    assert_eq!(status, StatusCode::OK);
    let listed = mine
        .as_array()
        .expect("an array")
        .iter()
        .find(|v| v["video_id"] == video_id.as_str());
    let listed = listed.expect("the upload is listed");
    assert_eq!(listed["title"], "Clavada de práctica");
    assert_eq!(listed["is_public"], false);

    let video = platform
        .wait_until_processed(&player.token, &video_id, PROCESSING_LIMIT)
        .await
        .expect("processing finishes");
    assert_eq!(video["votes"], 0);
    assert!(
        video["processed_at"]
            .as_str()
            .is_some_and(|at| at.ends_with('Z')),
        "{video}"
    );

    let processed = folder.path().join("processed.mp4");
    let url = video["processed_url"].as_str().expect("processed_url");
    platform
        .download(url, &processed)
        .await
        .expect("download processed");
    check_showcase_format(&processed);

    let original = folder.path().join("original.mp4");
    let url = video["original_url"].as_str().expect("original_url");
    platform
        .download(url, &original)
        .await
        .expect("download original");
    assert_eq!(
        std::fs::metadata(&original).expect("original").len(),
        std::fs::metadata(&source).expect("source").len()
    );
    assert_eq!(sha256_of(&original), sha256_of(&source));

    let poster = folder.path().join("poster.jpg");
    platform
        .download(video["poster_url"].as_str().expect("poster_url"), &poster)
        .await
        .expect("poster");
    let frame =
        anb_media::fixtures::decode_frame_rgb(&poster, Duration::ZERO).expect("poster decodes");
    assert_eq!((frame.width, frame.height), (1280, 720));

    let ranged = platform
        .http
        .get(platform.url(video["processed_url"].as_str().expect("processed_url")))
        .header(header::RANGE, "bytes=100-199")
        .send()
        .await
        .expect("range request");
    assert_eq!(ranged.status(), StatusCode::PARTIAL_CONTENT);
    let bytes = ranged.bytes().await.expect("range body");
    assert_eq!(
        bytes.as_ref(),
        &std::fs::read(&processed).expect("processed")[100..200]
    );
}

fn check_showcase_format(path: &std::path::Path) {
    use anb_media::fixtures::{decode_frame_rgb, moov_before_mdat};

    let info = anb_media::probe(path).expect("output probes");
    assert_eq!(info.video_codec, "h264");
    assert_eq!((info.width, info.height), (1280, 720));
    assert!(!info.has_audio, "the output must have no audio stream");
    let seconds = info.duration.as_secs_f64();
    assert!((30.0..=35.0).contains(&seconds), "duration {seconds} s");
    assert!(
        moov_before_mdat(path).expect("boxes readable"),
        "moov must precede mdat (faststart)"
    );

    let main = decode_frame_rgb(path, Duration::from_secs(10)).expect("a main-segment frame");
    let (x, y) = anb_media::WATERMARK_PROBE_POINT;
    assert!(
        main.pixel(x, y)
            .is_close_to(anb_media::WATERMARK_PROBE_COLOUR, 40),
        "watermark pixel at ({x},{y}) is {:?}",
        main.pixel(x, y)
    );

    for at in [
        Duration::from_millis(200),
        info.duration - Duration::from_millis(200),
    ] {
        let frame = decode_frame_rgb(path, at).expect("a bumper frame");
        assert!(
            frame
                .pixel(20, 20)
                .is_close_to(anb_media::BUMPER_BACKGROUND, 24),
            "frame at {at:?} is not a bumper: {:?}",
            frame.pixel(20, 20)
        );
    }
}
