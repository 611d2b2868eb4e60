use std::{path::PathBuf, time::Duration};

use anb_media::{MediaInfo, ProbeError};

use super::UploadPolicy;
use crate::error::{Error, Result};

/// What the service records about an accepted file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MediaFacts {
    pub duration: Duration,
    pub width: u32,
    pub height: u32,
}

/// Probes `path` with the FFmpeg libraries off the async runtime and applies the policy.
pub(crate) async fn inspect(path: PathBuf, policy: &UploadPolicy) -> Result<MediaFacts> {
    let span = tracing::Span::current();
    let probed =
        tokio::task::spawn_blocking(move || span.in_scope(|| anb_media::probe(&path))).await?;
    let info = probed.map_err(classify)?;
    check(&info, policy)
}

fn classify(err: ProbeError) -> Error {
    let message = err.to_string();
    match err {
        ProbeError::NotMp4 => Error::NotMp4(message),
        ProbeError::NoVideoStream => Error::NoVideoStream(message),
        ProbeError::Unreadable(_) => Error::UnreadableVideo(message),
        ProbeError::TooLarge { .. } => Error::VideoTooLarge(message),
    }
}

fn check(info: &MediaInfo, policy: &UploadPolicy) -> Result<MediaFacts> {
    if info.duration < policy.min_duration || info.duration > policy.max_duration {
        return Err(Error::InvalidDuration {
            min: policy.min_duration.as_secs(),
            max: policy.max_duration.as_secs(),
            actual: info.duration.as_secs_f64(),
        });
    }
    if info.width.min(info.height) < policy.min_short_side_px {
        return Err(Error::ResolutionTooLow {
            min: policy.min_short_side_px,
            width: info.width,
            height: info.height,
        });
    }
    Ok(MediaFacts {
        duration: info.duration,
        width: info.width,
        height: info.height,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> UploadPolicy {
        UploadPolicy {
            max_bytes: 100,
            min_duration: Duration::from_secs(20),
            max_duration: Duration::from_secs(60),
            min_short_side_px: 1080,
            idle_timeout: Duration::from_secs(60),
        }
    }

    fn info(width: u32, height: u32, millis: u64) -> MediaInfo {
        MediaInfo {
            container: "mov,mp4,m4a,3gp,3g2,mj2".into(),
            video_codec: "h264".into(),
            video_stream: 0,
            width,
            height,
            rotation: 0,
            pixel_format: "yuv420p".into(),
            frame_rate: Some(30.0),
            frame_count: 0,
            duration: Duration::from_millis(millis),
            has_audio: false,
            stream_count: 1,
        }
    }

    #[test]
    fn durations_are_accepted_inclusive_of_both_limits() {
        assert!(check(&info(1920, 1080, 20_000), &policy()).is_ok());
        assert!(check(&info(1920, 1080, 60_000), &policy()).is_ok());

        let short = check(&info(1920, 1080, 12_340), &policy()).expect_err("too short");
        assert_eq!(
            short.to_string(),
            "video must be between 20 and 60 seconds long, got 12.3 s"
        );
        assert!(matches!(
            check(&info(1920, 1080, 60_001), &policy()),
            Err(Error::InvalidDuration { .. })
        ));
    }

    #[test]
    fn pictures_over_the_pixel_budget_are_refused_as_too_large_with_their_size() {
        let refused = classify(ProbeError::TooLarge {
            width: 7680,
            height: 4320,
        });

        assert!(matches!(refused, Error::VideoTooLarge(_)), "{refused:?}");
        let status = tonic::Status::from(refused);
        assert_eq!(status.code(), tonic::Code::InvalidArgument);
        assert_eq!(anb_grpc::reason_of(&status), Some("video_too_large"));
        assert_eq!(
            status.message(),
            "the video is 7680x4320; the largest accepted is 4096x2304"
        );
    }

    #[test]
    fn the_shorter_display_side_decides_the_resolution() {
        assert!(check(&info(1080, 1920, 30_000), &policy()).is_ok());

        let low = check(&info(1280, 720, 30_000), &policy()).expect_err("720p");
        assert_eq!(
            low.to_string(),
            "video must be at least 1080 pixels on its shorter side, got 1280x720"
        );
    }
}
