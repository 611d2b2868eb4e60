//! Test material made in process with the same FFmpeg libraries: synthetic clips of any
//! size, length and rate, with or without sound, awkward real-world kinds (rotation, odd
//! sizes, variable rate, 10-bit, HDR, full range, anamorphic, interlaced, edit lists,
//! extra streams, timecode tracks, audio only), and helpers that look inside outputs.
//! Behind the `fixtures` feature; not part of the product.

mod clip;
mod export;
mod inspect;
mod kinds;
mod patch;

pub use clip::{ClipSpec, FIXTURE_BACKGROUND, write_clip};
pub use export::export_artwork;
pub use inspect::{
    RgbFrame, VideoSummary, append_free_box, decode_frame_rgb, moov_before_mdat, summarise_video,
};
pub use kinds::{
    COVER_COLOUR, HDR_LINEAR_COLOUR, MARKER, MOVING_BAR_ROWS, MOVING_BAR_STEP, MediaSpec,
    SECOND_VIDEO_COLOUR, Timing, marker_size, moving_bar_x, write_audio_only, write_media,
};
