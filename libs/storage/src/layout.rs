use std::path::{Path, PathBuf};

use uuid::Uuid;

/// The files kept for a video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    /// The upload as received.
    Original,
    /// The transcoded MP4.
    Processed,
    /// The JPEG poster.
    Poster,
}

impl MediaKind {
    /// The folder under the storage root, also the first segment of media URLs.
    pub fn folder(self) -> &'static str {
        match self {
            Self::Original => "originals",
            Self::Processed => "processed",
            Self::Poster => "posters",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Self::Original | Self::Processed => "mp4",
            Self::Poster => "jpg",
        }
    }

    /// The kind stored in `folder`, if any.
    pub fn from_folder(folder: &str) -> Option<Self> {
        [Self::Original, Self::Processed, Self::Poster]
            .into_iter()
            .find(|kind| kind.folder() == folder)
    }

    /// The storage key of this kind of file for `video_id`, e.g. `processed/<id>.mp4`.
    pub fn key(self, video_id: Uuid) -> String {
        format!("{}/{video_id}.{}", self.folder(), self.extension())
    }

    /// Parses a key made by [`MediaKind::key`]; anything else (traversal, other names)
    /// gives `None`.
    pub fn parse_key(key: &str) -> Option<(Self, Uuid)> {
        let (folder, file) = key.split_once('/')?;
        let kind = Self::from_folder(folder)?;
        let id = file.strip_suffix(kind.extension())?.strip_suffix('.')?;
        let video_id = Uuid::try_parse(id).ok()?;
        (kind.key(video_id) == key).then_some((kind, video_id))
    }
}

/// The storage root and the paths of everything under it.
#[derive(Debug, Clone)]
pub struct Storage {
    root: PathBuf,
}

impl Storage {
    /// Storage under `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The storage root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Creates the folders of every kind and the temporary folder.
    ///
    /// # Errors
    /// When a folder cannot be created.
    pub async fn prepare(&self) -> std::io::Result<()> {
        for kind in [MediaKind::Original, MediaKind::Processed, MediaKind::Poster] {
            tokio::fs::create_dir_all(self.root.join(kind.folder())).await?;
        }
        tokio::fs::create_dir_all(self.temp_dir()).await
    }

    /// The path of `kind` for `video_id`.
    pub fn path(&self, kind: MediaKind, video_id: Uuid) -> PathBuf {
        self.root.join(kind.key(video_id))
    }

    /// The path of a key made by [`MediaKind::key`], or `None` for any other string.
    pub fn path_of_key(&self, key: &str) -> Option<PathBuf> {
        MediaKind::parse_key(key).map(|(kind, id)| self.path(kind, id))
    }

    /// Folder for files being written. It is on the same file system as the final
    /// folders, so finishing a file is an atomic rename.
    pub fn temp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// A fresh temporary path for an upload in progress.
    pub fn new_temp_path(&self) -> PathBuf {
        self.temp_dir().join(format!("{}.part", Uuid::new_v4()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_foreign_strings_do_not_parse() {
        let id = Uuid::parse_str("0192f6a0-7c1e-7d2a-9b3c-4d5e6f708192").expect("valid uuid");

        assert_eq!(
            MediaKind::Processed.key(id),
            "processed/0192f6a0-7c1e-7d2a-9b3c-4d5e6f708192.mp4"
        );
        assert_eq!(
            MediaKind::parse_key(&MediaKind::Poster.key(id)),
            Some((MediaKind::Poster, id))
        );
        assert_eq!(MediaKind::parse_key("posters/../../etc/passwd"), None);
        assert_eq!(
            MediaKind::parse_key("tmp/0192f6a0-7c1e-7d2a-9b3c-4d5e6f708192.mp4"),
            None
        );
        assert_eq!(
            MediaKind::parse_key("posters/0192f6a0-7c1e-7d2a-9b3c-4d5e6f708192.mp4"),
            None
        );
        assert_eq!(
            MediaKind::parse_key("originals/0192F6A0-7C1E-7D2A-9B3C-4D5E6F708192.mp4"),
            None
        );
    }
}
