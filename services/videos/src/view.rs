//! What a player sees of a video: the record plus short-lived signed media URLs.

use anb_proto::videos::v1 as pb;
use anb_storage::{MediaKind, UrlSigner};
use chrono::{DateTime, SecondsFormat, Utc};

use crate::db::video::{Model, VideoStatus};

/// The API form of `row` for its owner, with URLs valid from `now`.
pub(crate) fn owner_view(row: &Model, signer: &UrlSigner, now: DateTime<Utc>) -> pb::Video {
    let sign = |kind: MediaKind| signer.sign(&kind.key(row.id.0), now.timestamp()).to_path();
    let processed = row.status == VideoStatus::Processed;

    pb::Video {
        video_id: row.id.to_string(),
        owner_id: row.owner_id.to_string(),
        title: row.title.clone(),
        status: status(row.status).into(),
        is_public: row.is_public,
        uploaded_at: rfc3339(row.uploaded_at),
        processed_at: row.processed_at.map(rfc3339),
        original_url: Some(sign(MediaKind::Original)),
        processed_url: processed.then(|| sign(MediaKind::Processed)),
        poster_url: processed.then(|| sign(MediaKind::Poster)),
        failure_reason: row
            .failure_reason
            .clone()
            .filter(|_| row.status == VideoStatus::Failed),
        size_bytes: row.size_bytes,
        duration_ms: row.duration_ms,
    }
}

/// A published video as anyone sees it: no original, the owner as they signed up.
pub(crate) fn public_view(row: &Model, signer: &UrlSigner, now: DateTime<Utc>) -> pb::PublicVideo {
    let sign = |kind: MediaKind| signer.sign(&kind.key(row.id.0), now.timestamp()).to_path();

    pb::PublicVideo {
        video_id: row.id.to_string(),
        title: row.title.clone(),
        player: Some(player(row)),
        processed_at: row.processed_at.map(rfc3339).unwrap_or_default(),
        processed_url: sign(MediaKind::Processed),
        poster_url: sign(MediaKind::Poster),
    }
}

/// What `votes` needs to decide on a vote.
pub(crate) fn votable_view(row: &Model) -> pb::VotableVideo {
    pb::VotableVideo {
        video_id: row.id.to_string(),
        owner: Some(player(row)),
        status: status(row.status).into(),
        is_public: row.is_public,
        published: crate::publication::is_published(row),
    }
}

fn player(row: &Model) -> pb::Player {
    pb::Player {
        user_id: row.owner_id.to_string(),
        first_name: row.owner_first_name.clone(),
        last_name: row.owner_last_name.clone(),
        city: row.owner_city.clone(),
        country: row.owner_country.clone(),
    }
}

fn status(status: VideoStatus) -> pb::VideoStatus {
    match status {
        VideoStatus::Uploaded => pb::VideoStatus::Uploaded,
        VideoStatus::Processing => pb::VideoStatus::Processing,
        VideoStatus::Processed => pb::VideoStatus::Processed,
        VideoStatus::Failed => pb::VideoStatus::Failed,
    }
}

/// `2026-12-04T13:45:19Z`: UTC, whole seconds, as the REST contract shows.
pub(crate) fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::TimeZone;
    use uuid::Uuid;

    use super::*;
    use crate::ids::{TaskId, UserId, VideoId};

    fn row(status: VideoStatus) -> Model {
        let at = Utc
            .with_ymd_and_hms(2026, 12, 4, 13, 45, 19)
            .single()
            .expect("valid date");
        Model {
            id: VideoId(Uuid::now_v7()),
            owner_id: UserId(Uuid::new_v4()),
            title: "Dunk".into(),
            status,
            is_public: false,
            original_file_name: "dunk.mp4".into(),
            size_bytes: 10,
            duration_ms: 21_000,
            width: 1920,
            height: 1080,
            task_id: TaskId(Uuid::now_v7()),
            failure_reason: None,
            processed_duration_ms: None,
            uploaded_at: at,
            processing_started_at: None,
            processed_at: None,
            updated_at: at,
            owner_first_name: "Ana".into(),
            owner_last_name: "Díaz".into(),
            owner_city: "Bogotá".into(),
            owner_country: "Colombia".into(),
            owner_city_key: "bogota".into(),
        }
    }

    #[test]
    fn only_processed_videos_carry_processed_and_poster_urls() {
        let signer = UrlSigner::new(b"0123456789abcdef".to_vec(), Duration::from_secs(60));
        let now = Utc::now();

        let uploaded = owner_view(&row(VideoStatus::Uploaded), &signer, now);
        let processed = owner_view(&row(VideoStatus::Processed), &signer, now);

        assert_eq!(uploaded.uploaded_at, "2026-12-04T13:45:19Z");
        assert!(uploaded.original_url.is_some());
        assert_eq!((uploaded.processed_url, uploaded.poster_url), (None, None));
        assert!(
            processed
                .processed_url
                .is_some_and(|url| url.starts_with("/media/processed/"))
        );
        assert!(
            processed
                .poster_url
                .is_some_and(|url| url.starts_with("/media/posters/"))
        );
    }

    #[test]
    fn the_public_view_shows_the_owner_snapshot_and_no_original() {
        let signer = UrlSigner::new(b"0123456789abcdef".to_vec(), Duration::from_secs(60));
        let mut published = row(VideoStatus::Processed);
        published.is_public = true;

        let public = public_view(&published, &signer, Utc::now());
        let votable = votable_view(&published);

        let player = public.player.expect("a public video names its player");
        assert_eq!(
            (player.first_name.as_str(), player.city.as_str()),
            ("Ana", "Bogotá")
        );
        assert!(public.processed_url.starts_with("/media/processed/"));
        assert!(public.poster_url.starts_with("/media/posters/"));
        assert!(votable.published);
        assert!(!votable_view(&row(VideoStatus::Processing)).published);
    }
}
