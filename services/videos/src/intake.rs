//! Receiving an upload: the metadata message and the chunks, streamed to a temporary file
//! under a size limit, then checked with the FFmpeg libraries before anything is recorded.

mod checks;
mod temp_file;

use std::time::Duration;

use anb_proto::videos::v1::{UploadMetadata, UploadRequest, upload_request::Part};
use anb_storage::Storage;
use tokio_stream::{Stream, StreamExt};
use tonic::Status;

use crate::error::{Error, Result};

pub(crate) use checks::inspect;
pub(crate) use temp_file::TempUpload;

/// Longest title, in characters, after trimming.
pub const MAX_TITLE_CHARS: usize = 200;
/// File names are for display only; longer ones are cut.
const MAX_FILE_NAME_CHARS: usize = 255;

/// What an upload must satisfy to be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadPolicy {
    /// Largest file, in bytes.
    pub max_bytes: u64,
    /// Shortest accepted duration.
    pub min_duration: Duration,
    /// Longest accepted duration.
    pub max_duration: Duration,
    /// Smallest accepted shorter display side, in pixels.
    pub min_short_side_px: u32,
    /// A client silent for this long is dropped, so a stalled upload cannot hold a
    /// temporary file and a request slot forever.
    pub idle_timeout: Duration,
}

/// The validated metadata message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UploadMeta {
    pub title: String,
    pub is_public: bool,
    pub file_name: String,
}

/// A fully received upload, not yet checked.
pub(crate) struct Received {
    pub file: TempUpload,
    pub size_bytes: u64,
    pub meta: UploadMeta,
}

/// Streams `parts` into a fresh temporary file, stopping as soon as the size limit is
/// crossed or the metadata is invalid. Any error drops the file, which deletes it.
pub(crate) async fn receive<S>(
    parts: S,
    storage: &Storage,
    policy: &UploadPolicy,
) -> Result<Received>
where
    S: Stream<Item = Result<UploadRequest, Status>>,
{
    tokio::pin!(parts);
    let mut file = TempUpload::create(storage.new_temp_path()).await?;
    let mut meta = None;
    let mut size_bytes = 0u64;

    while let Some(message) = next_within(&mut parts, policy.idle_timeout).await? {
        match message.part {
            Some(Part::Metadata(metadata)) => {
                if meta.is_some() {
                    return Err(Error::InvalidRequest("metadata was sent twice".to_owned()));
                }
                meta = Some(parse_metadata(metadata)?);
            }
            Some(Part::Chunk(chunk)) => {
                size_bytes = size_bytes.saturating_add(chunk.len() as u64);
                if size_bytes > policy.max_bytes {
                    return Err(Error::FileTooLarge {
                        limit: human_size(policy.max_bytes),
                    });
                }
                file.write(&chunk).await?;
            }
            None => return Err(Error::InvalidRequest("empty upload message".to_owned())),
        }
    }

    let meta = meta.ok_or(Error::MissingTitle)?;
    if size_bytes == 0 {
        return Err(Error::MissingFile);
    }
    file.finish().await?;

    Ok(Received {
        file,
        size_bytes,
        meta,
    })
}

async fn next_within<S>(
    parts: &mut std::pin::Pin<&mut S>,
    idle: Duration,
) -> Result<Option<UploadRequest>>
where
    S: Stream<Item = Result<UploadRequest, Status>>,
{
    match tokio::time::timeout(idle, parts.next()).await {
        Ok(Some(message)) => message.map(Some).map_err(Error::UploadInterrupted),
        Ok(None) => Ok(None),
        Err(_elapsed) => Err(Error::UploadStalled {
            idle_secs: idle.as_secs(),
        }),
    }
}

fn parse_metadata(metadata: UploadMetadata) -> Result<UploadMeta> {
    Ok(UploadMeta {
        title: parse_title(&metadata.title)?,
        is_public: metadata.is_public.unwrap_or(false),
        file_name: display_file_name(&metadata.file_name),
    })
}

/// Trims the title and enforces 1..=200 characters without control characters.
pub(crate) fn parse_title(raw: &str) -> Result<String> {
    let title = raw.trim();
    let chars = title.chars().count();
    if chars == 0 {
        return Err(Error::MissingTitle);
    }
    if chars > MAX_TITLE_CHARS {
        return Err(Error::InvalidTitle(format!(
            "title must be at most {MAX_TITLE_CHARS} characters, got {chars}"
        )));
    }
    if title.chars().any(char::is_control) {
        return Err(Error::InvalidTitle(
            "title must not contain control characters".to_owned(),
        ));
    }
    Ok(title.to_owned())
}

/// The last path segment of the client's file name, without control characters, cut to a
/// sane length: it is only ever shown, never used as a path.
fn display_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    base.chars()
        .filter(|c| !c.is_control())
        .take(MAX_FILE_NAME_CHARS)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// `104857600` → `100 MB`: the limit as the product states it (binary megabytes).
fn human_size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_bounded_in_characters() {
        assert_eq!(parse_title("  Dunk  ").expect("valid"), "Dunk");
        assert!(matches!(parse_title("   "), Err(Error::MissingTitle)));
        assert!(parse_title(&"é".repeat(200)).is_ok());
        let too_long = parse_title(&"é".repeat(201)).expect_err("201 characters");
        assert_eq!(
            too_long.to_string(),
            "title must be at most 200 characters, got 201"
        );
        assert!(matches!(
            parse_title("a\u{0}b"),
            Err(Error::InvalidTitle(_))
        ));
    }

    #[test]
    fn file_names_keep_only_their_last_segment() {
        assert_eq!(display_file_name("../../etc/passwd"), "passwd");
        assert_eq!(display_file_name("C:\\clips\\dunk.mp4"), "dunk.mp4");
        assert_eq!(display_file_name("a\nb.mp4"), "ab.mp4");
        assert_eq!(display_file_name(&"x".repeat(300)).len(), 255);
    }

    #[test]
    fn limits_are_stated_in_megabytes_when_exact() {
        assert_eq!(human_size(104_857_600), "100 MB");
        assert_eq!(human_size(1_000), "1000 bytes");
    }
}
