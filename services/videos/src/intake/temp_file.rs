use std::path::{Path, PathBuf};

use tokio::{fs::File, io::AsyncWriteExt};

/// A file being received. Until [`TempUpload::keep`] is called, dropping it deletes the
/// file wherever it currently is: a rejected upload, an error, or a client that hangs up
/// (tonic drops the handler future) all leave nothing behind.
pub(crate) struct TempUpload {
    path: PathBuf,
    file: Option<File>,
    armed: bool,
}

impl TempUpload {
    /// Creates the file; it must not exist yet.
    pub async fn create(path: PathBuf) -> std::io::Result<Self> {
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await?;
        Ok(Self {
            path,
            file: Some(file),
            armed: true,
        })
    }

    /// The file's current location.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `bytes`. Nothing is kept in memory beyond the file's own write buffer.
    pub async fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match &mut self.file {
            Some(file) => file.write_all(bytes).await,
            None => Err(std::io::Error::other("upload file already finished")),
        }
    }

    /// Flushes and syncs the content and closes the handle, so readers see every byte.
    pub async fn finish(&mut self) -> std::io::Result<()> {
        if let Some(mut file) = self.file.take() {
            file.flush().await?;
            file.sync_data().await?;
        }
        Ok(())
    }

    /// Renames the file to `destination` (same file system, so atomic). The guard still
    /// deletes it there if the caller fails before [`TempUpload::keep`].
    pub async fn move_to(&mut self, destination: PathBuf) -> std::io::Result<()> {
        self.finish().await?;
        tokio::fs::rename(&self.path, &destination).await?;
        self.path = destination;
        Ok(())
    }

    /// Keeps the file where it is.
    pub fn keep(mut self) {
        self.armed = false;
    }
}

impl Drop for TempUpload {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        drop(self.file.take());
        // Synchronous on purpose: the file must be gone before the caller answers, and
        // unlinking is one short system call.
        match std::fs::remove_file(&self.path) {
            Ok(()) => tracing::debug!(path = %self.path.display(), "discarded upload file"),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => {
                tracing::warn!(path = %self.path.display(), error = %err, "cannot delete upload file");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn dropping_an_unkept_upload_deletes_it_after_a_move() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let mut upload = TempUpload::create(dir.path().join("a.part")).await?;
        upload.write(b"hello").await?;
        upload.move_to(dir.path().join("b.mp4")).await?;
        assert!(dir.path().join("b.mp4").exists());

        drop(upload);

        assert!(!dir.path().join("a.part").exists());
        assert!(!dir.path().join("b.mp4").exists());
        Ok(())
    }

    #[tokio::test]
    async fn a_kept_upload_stays_with_its_content() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let mut upload = TempUpload::create(dir.path().join("a.part")).await?;
        upload.write(b"hello ").await?;
        upload.write(b"world").await?;
        upload.move_to(dir.path().join("b.mp4")).await?;

        upload.keep();

        assert_eq!(std::fs::read(dir.path().join("b.mp4"))?, b"hello world");
        Ok(())
    }
}
