//! Media handling on the FFmpeg libraries, in process: [`probe`] checks an upload before it
//! is accepted, and [`transcode`] turns it into the showcase format in one decode → filter →
//! encode pass (first 30 s, 1280x720 16:9 with bars, ANB watermark, opening and closing
//! bumpers, no audio, faststart MP4) plus a poster JPEG. The ANB artwork is drawn in code.
#![warn(missing_docs)]

mod artwork;
mod boxes;
mod canvas;
mod convert;
mod output;
mod pipeline;
mod probe;
mod rotation;

#[cfg(feature = "fixtures")]
pub mod fixtures;

use std::sync::Once;

pub use artwork::{
    BUMPER_BACKGROUND, Rgb, WATERMARK_PROBE_COLOUR, WATERMARK_PROBE_POINT, WATERMARK_RECT,
    WATERMARK_SHADOW_POINT,
};
pub use pipeline::{TranscodeError, TranscodeReport, TranscodeSettings, transcode};
pub use probe::{MAX_PIXELS, MediaInfo, ProbeError, probe};

/// Output width of the showcase format.
pub const OUTPUT_WIDTH: u32 = 1280;
/// Output height of the showcase format.
pub const OUTPUT_HEIGHT: u32 = 720;
/// Output frame rate (constant).
pub const OUTPUT_FPS: i32 = 30;

/// Initialises the FFmpeg libraries once per process and silences their own logging: every
/// failure reaches our callers as an error value, and FFmpeg's stderr lines would otherwise
/// repeat each rejected upload's complaint outside the structured log.
pub fn init() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        if let Err(err) = ffmpeg_next::init() {
            tracing::error!(error = %err, "FFmpeg initialisation failed");
        }
        ffmpeg_next::util::log::set_level(ffmpeg_next::util::log::Level::Quiet);
    });
}
