//! Test material made in process with the same FFmpeg libraries: synthetic clips of any
//! size, length and rate, with or without sound, and helpers that look inside outputs.
//! Behind the `fixtures` feature; not part of the product.

mod clip;
mod inspect;

pub use clip::{ClipSpec, FIXTURE_BACKGROUND, write_clip};
pub use inspect::{RgbFrame, append_free_box, decode_frame_rgb, moov_before_mdat};
