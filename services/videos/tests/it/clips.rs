//! Test clips, generated once per machine and cached: every test runs in its own process,
//! and re-encoding the same clip for each would dominate the suite's time.

use std::path::PathBuf;

use anb_media::fixtures::{ClipSpec, write_clip};
use anb_proto::videos::v1::{UploadMetadata, UploadRequest, upload_request::Part};
use uuid::Uuid;

/// Bytes per upload message, like the gateway's bounded chunks.
pub const CHUNK: usize = 64 * 1024;

/// The path of a clip of `width`x`height` lasting `seconds`, made if missing.
pub fn clip(width: u32, height: u32, seconds: f64) -> anyhow::Result<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("anb-videos-clips");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{width}x{height}-{seconds}s.mp4"));
    if !path.exists() {
        // Written aside and renamed so concurrent tests never read a half-written clip.
        let partial = dir.join(format!("{}.part.mp4", Uuid::new_v4()));
        let spec = ClipSpec {
            width,
            height,
            seconds,
            fps: 5,
            with_audio: false,
        };
        write_clip(&partial, &spec)?;
        std::fs::rename(&partial, &path)?;
    }
    Ok(path)
}

pub fn metadata(title: &str) -> UploadRequest {
    UploadRequest {
        part: Some(Part::Metadata(UploadMetadata {
            title: title.to_owned(),
            is_public: Some(true),
            file_name: "my dunk.mp4".to_owned(),
        })),
    }
}

pub fn chunks(bytes: &[u8]) -> Vec<UploadRequest> {
    bytes
        .chunks(CHUNK)
        .map(|chunk| UploadRequest {
            part: Some(Part::Chunk(chunk.to_vec())),
        })
        .collect()
}

/// The metadata message followed by `bytes` in chunks.
pub fn upload_of(title: &str, bytes: &[u8]) -> Vec<UploadRequest> {
    let mut messages = vec![metadata(title)];
    messages.extend(chunks(bytes));
    messages
}

/// A valid 21 s 1080p clip padded with a `free` box to exactly `size` bytes.
pub fn padded_clip(size: u64) -> anyhow::Result<PathBuf> {
    let source = clip(1920, 1080, 21.0)?;
    let path = source.with_file_name(format!("1920x1080-21s-{size}b.mp4"));
    if !path.exists() {
        let partial = source.with_file_name(format!("{}.part.mp4", Uuid::new_v4()));
        std::fs::copy(&source, &partial)?;
        anb_media::fixtures::append_free_box(&partial, size)?;
        std::fs::rename(&partial, &path)?;
    }
    Ok(path)
}
