use anb_proto::videos::v1::{
    GetVideoRequest, MarkProcessingRequest, RecordTranscodeResultRequest, TranscodeFailed,
    TranscodeSucceeded, Video, VideoStatus, record_transcode_result_request::Outcome,
};
use anb_storage::MediaKind;
use chrono::Utc;
use tonic::Code;
use uuid::Uuid;

use crate::support::{MEDIA_SECRET, TestService, insert_video};

fn result(video_id: Uuid, outcome: Outcome) -> RecordTranscodeResultRequest {
    RecordTranscodeResultRequest {
        video_id: video_id.to_string(),
        task_id: String::new(),
        outcome: Some(outcome),
    }
}

fn succeeded() -> Outcome {
    Outcome::Succeeded(TranscodeSucceeded {
        duration_ms: 25_000,
    })
}

fn failed(reason: &str) -> Outcome {
    Outcome::Failed(TranscodeFailed {
        reason: reason.to_owned(),
    })
}

async fn get(service: &TestService, owner: Uuid, id: Uuid) -> anyhow::Result<Video> {
    let request = service.authed(
        owner,
        GetVideoRequest {
            video_id: id.to_string(),
        },
    );
    Ok(service
        .client
        .clone()
        .get_video(request)
        .await?
        .into_inner())
}

/// Splits `/media/<key>?expires=<n>&sig=<s>` into its parts.
fn parse_media_url(url: &str) -> anyhow::Result<(String, i64, String)> {
    let rest = url
        .strip_prefix("/media/")
        .ok_or_else(|| anyhow::anyhow!("not a media path: {url}"))?;
    let (key, query) = rest
        .split_once("?expires=")
        .ok_or_else(|| anyhow::anyhow!("no expiry: {url}"))?;
    let (expires, sig) = query
        .split_once("&sig=")
        .ok_or_else(|| anyhow::anyhow!("no signature: {url}"))?;
    Ok((key.to_owned(), expires.parse()?, sig.to_owned()))
}

#[tokio::test]
async fn a_recorded_success_makes_the_video_processed_with_verifiable_urls() -> anyhow::Result<()> {
    let service = TestService::start().await?;
    let owner = Uuid::new_v4();
    let id = insert_video(&service.db, owner, "Dunk", Utc::now()).await?;
    let mut client = service.client.clone();

    client
        .mark_processing(MarkProcessingRequest {
            video_id: id.to_string(),
            task_id: String::new(),
        })
        .await?;
    assert_eq!(
        get(&service, owner, id).await?.status(),
        VideoStatus::Processing
    );
    client
        .record_transcode_result(result(id, succeeded()))
        .await?;

    let video = get(&service, owner, id).await?;
    assert_eq!(video.status(), VideoStatus::Processed);
    let processed_at = video.processed_at.clone().expect("processed_at set");
    assert!(
        processed_at.ends_with('Z') && processed_at.len() == 20,
        "{processed_at}"
    );
    let verifier =
        anb_storage::UrlSigner::new(MEDIA_SECRET.to_vec(), std::time::Duration::from_secs(900));
    let now = Utc::now().timestamp();
    for (url, kind) in [
        (&video.processed_url, MediaKind::Processed),
        (&video.poster_url, MediaKind::Poster),
        (&video.original_url, MediaKind::Original),
    ] {
        let (key, expires, sig) = parse_media_url(url.as_deref().expect("url present"))?;
        assert_eq!(key, kind.key(id));
        assert_eq!(verifier.verify(&key, expires, &sig, now), Ok(()));
        assert!(
            expires > now + 800 && expires <= now + 901,
            "expires {expires}, now {now}"
        );
    }

    client
        .record_transcode_result(result(id, succeeded()))
        .await?;
    assert_eq!(
        get(&service, owner, id).await?.processed_at,
        Some(processed_at)
    );
    Ok(())
}

#[tokio::test]
async fn a_recorded_failure_shows_its_reason_but_never_overrides_a_processed_video()
-> anyhow::Result<()> {
    let service = TestService::start().await?;
    let owner = Uuid::new_v4();
    let (doomed, done) = (
        insert_video(&service.db, owner, "Doomed", Utc::now()).await?,
        insert_video(&service.db, owner, "Done", Utc::now()).await?,
    );
    let mut client = service.client.clone();

    client
        .record_transcode_result(result(doomed, failed("the video cannot be decoded")))
        .await?;
    client
        .record_transcode_result(result(doomed, failed("the video cannot be decoded")))
        .await?;
    client
        .record_transcode_result(result(done, succeeded()))
        .await?;
    client
        .record_transcode_result(result(done, failed("late duplicate")))
        .await?;
    client
        .mark_processing(MarkProcessingRequest {
            video_id: done.to_string(),
            task_id: String::new(),
        })
        .await?;

    let doomed = get(&service, owner, doomed).await?;
    assert_eq!(doomed.status(), VideoStatus::Failed);
    assert_eq!(
        doomed.failure_reason.as_deref(),
        Some("the video cannot be decoded")
    );
    assert_eq!(doomed.processed_url, None);
    let done = get(&service, owner, done).await?;
    assert_eq!(done.status(), VideoStatus::Processed);
    assert_eq!(done.failure_reason, None);
    Ok(())
}

#[tokio::test]
async fn reports_about_unknown_videos_are_not_found() -> anyhow::Result<()> {
    let service = TestService::start().await?;
    let mut client = service.client.clone();
    let unknown = Uuid::now_v7();

    let mark = client
        .mark_processing(MarkProcessingRequest {
            video_id: unknown.to_string(),
            task_id: String::new(),
        })
        .await;
    let success = client
        .record_transcode_result(result(unknown, succeeded()))
        .await;
    let failure = client
        .record_transcode_result(result(unknown, failed("x")))
        .await;

    assert_eq!(mark.expect_err("unknown").code(), Code::NotFound);
    assert_eq!(success.expect_err("unknown").code(), Code::NotFound);
    assert_eq!(failure.expect_err("unknown").code(), Code::NotFound);
    Ok(())
}
