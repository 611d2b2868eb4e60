use std::{io, sync::Arc, time::Duration};

use anb_media::TranscodeSettings;
use anb_storage::{MediaKind, Storage};
use uuid::Uuid;

/// Partial outputs untouched for this long belong to a transcode whose process was killed
/// (a running one writes continuously and takes well under a minute).
const STALE_PART_AGE: Duration = Duration::from_secs(3600);

/// The FFmpeg pipeline applied to files in storage.
#[derive(Clone)]
pub(crate) struct Pipeline {
    storage: Storage,
    settings: Arc<TranscodeSettings>,
}

impl Pipeline {
    pub(crate) fn new(storage: Storage, settings: TranscodeSettings) -> Self {
        Self {
            storage,
            settings: Arc::new(settings),
        }
    }

    /// Transcodes the original of `video_id` into its processed file and poster, returning
    /// the output's duration, or a reason a player can read.
    ///
    /// Runs on a blocking thread. If the caller stops waiting (shutdown), the thread still
    /// finishes; the pipeline writes under temporary names, so nothing half-written ever
    /// appears under the final keys.
    pub(crate) async fn transcode(&self, video_id: Uuid) -> Result<Duration, String> {
        let input = self.storage.path(MediaKind::Original, video_id);
        let output = self.storage.path(MediaKind::Processed, video_id);
        let poster = self.storage.path(MediaKind::Poster, video_id);
        let settings = Arc::clone(&self.settings);
        let span = tracing::Span::current();

        let joined = tokio::task::spawn_blocking(move || {
            span.in_scope(|| anb_media::transcode(&input, &output, &poster, &settings))
        })
        .await;
        match joined {
            Ok(Ok(report)) => {
                self.remove_others_parts(video_id).await;
                Ok(report.duration)
            }
            Ok(Err(err)) => Err(err.to_string()),
            Err(join) => {
                tracing::error!(error = %join, "transcode thread panicked");
                Err("processing stopped unexpectedly".to_owned())
            }
        }
    }

    /// Deletes the outputs of a video that no longer exists.
    pub(crate) async fn remove_outputs(&self, video_id: Uuid) {
        for kind in [MediaKind::Processed, MediaKind::Poster] {
            let path = self.storage.path(kind, video_id);
            match tokio::fs::remove_file(&path).await {
                Err(err) if err.kind() != io::ErrorKind::NotFound => {
                    tracing::warn!(error = %err, path = %path.display(), "cannot remove output");
                }
                _ => {}
            }
        }
    }

    /// Deletes this process's partial outputs for `video_id`, after giving up waiting for
    /// its transcode at shutdown. The abandoned thread may write on into the unlinked file
    /// until the process exits; its final rename then fails harmlessly.
    pub(crate) async fn remove_own_parts(&self, video_id: Uuid) {
        self.remove_parts(video_id, Some(std::process::id())).await;
    }

    /// Deletes every process's partial outputs for `video_id`, once its final outputs are in
    /// place. Whoever wrote them was killed or lost the job to this worker; without this
    /// they would wait an hour for [`Self::remove_stale_parts`] at some worker's start.
    async fn remove_others_parts(&self, video_id: Uuid) {
        self.remove_parts(video_id, None).await;
    }

    /// Deletes the partial outputs for `video_id` written by process `pid`, or by any.
    async fn remove_parts(&self, video_id: Uuid, pid: Option<u32>) {
        for kind in [MediaKind::Processed, MediaKind::Poster] {
            let path = self.storage.path(kind, video_id);
            let Some(name) = path.file_name() else {
                continue;
            };
            let mut prefix = format!("{}.part-", name.to_string_lossy());
            if let Some(pid) = pid {
                prefix.push_str(&format!("{pid}-"));
            }
            let folder = self.storage.root().join(kind.folder());
            let Ok(mut entries) = tokio::fs::read_dir(folder).await else {
                continue;
            };
            while let Ok(Some(entry)) = entries.next_entry().await {
                if entry.file_name().to_string_lossy().starts_with(&prefix) {
                    let _ = tokio::fs::remove_file(entry.path()).await;
                }
            }
        }
    }

    /// Deletes partial outputs (`<key>.part-*`, as anb-media names them) left behind by
    /// killed transcodes. Only old ones: other workers may be writing theirs right now.
    pub(crate) async fn remove_stale_parts(&self) {
        let mut removed = 0_u32;
        for kind in [MediaKind::Processed, MediaKind::Poster] {
            let Ok(mut entries) =
                tokio::fs::read_dir(self.storage.root().join(kind.folder())).await
            else {
                continue;
            };
            while let Ok(Some(entry)) = entries.next_entry().await {
                if entry.file_name().to_string_lossy().contains(".part-")
                    && is_older_than(&entry, STALE_PART_AGE).await
                    && tokio::fs::remove_file(entry.path()).await.is_ok()
                {
                    removed += 1;
                }
            }
        }
        if removed > 0 {
            tracing::info!(removed, "removed partial outputs of interrupted transcodes");
        }
    }
}

async fn is_older_than(entry: &tokio::fs::DirEntry, age: Duration) -> bool {
    let modified = entry.metadata().await.and_then(|meta| meta.modified());
    modified.is_ok_and(|at| at.elapsed().is_ok_and(|elapsed| elapsed > age))
}
