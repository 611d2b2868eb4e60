//! The decoding half of the main segment. It runs on a thread of its own and hands shown
//! pictures over a short queue, so the input keeps decoding while the opening bumper is
//! encoded and while earlier pictures are filtered and encoded.

use std::{sync::mpsc::SyncSender, time::Duration};

use ffmpeg_next::{Rational, format, format::Pixel, util::frame};

/// Pictures waiting in the queue may take at most about this much memory; a 1080p 8-bit
/// queue holds 10.
const QUEUE_BYTES: usize = 64 << 20;

/// How many decoded pictures of `width` x `height` in `format` may wait between the two
/// halves: enough to cover the opening bumper's encoding, few enough that a 4K or 4:4:4
/// high-bit-depth input stays small. Unknown sizes get the shortest queue.
pub(super) fn queue_depth(width: u32, height: u32, format: Pixel) -> usize {
    let bits = format
        .descriptor()
        .map_or(0, |descriptor| descriptor.bits_per_pixel());
    // Samples deeper than 8 bits are stored in 16, so twice the format's bits bounds what a
    // picture takes in memory.
    let picture_bytes = width as usize * height as usize * usize::try_from(bits).unwrap_or(0) / 4;
    if picture_bytes == 0 {
        return 2;
    }
    (QUEUE_BYTES / picture_bytes).clamp(2, 16)
}

/// Shown pictures of the kept window, timestamped from the first one.
pub(super) struct Decoding {
    decoder: ffmpeg_next::decoder::Video,
    first_pts: Option<i64>,
    last_pts: Option<i64>,
    last_duration: i64,
    nominal_duration: Option<i64>,
    limit: i64,
    window_done: bool,
}

impl Decoding {
    pub(super) fn new(
        decoder: ffmpeg_next::decoder::Video,
        time_base: Rational,
        window: Duration,
    ) -> Self {
        // One picture's duration at the declared rate, for a single-picture input.
        let nominal_duration = decoder
            .frame_rate()
            .filter(|rate| rate.numerator() > 0 && rate.denominator() > 0)
            .map(|rate| (f64::from(rate.invert()) / f64::from(time_base)).round() as i64);
        let limit = (window.as_secs_f64() * f64::from(time_base.denominator())
            / f64::from(time_base.numerator().max(1)))
        .round() as i64;
        Self {
            decoder,
            first_pts: None,
            last_pts: None,
            last_duration: 0,
            nominal_duration,
            limit,
            window_done: false,
        }
    }

    /// Decodes stream `index` of `demuxer` and sends every shown picture of the window to
    /// `pictures`, until the window or the input ends or the receiver hangs up. Returns
    /// where the kept part ends, in the stream's time base from the first shown picture.
    pub(super) fn run(
        mut self,
        demuxer: &mut format::context::Input,
        index: usize,
        pictures: &SyncSender<frame::Video>,
    ) -> i64 {
        for (stream, packet) in demuxer.packets() {
            if stream.index() != index {
                continue;
            }
            // A damaged packet in a truncated or glitchy file loses a picture, not the video.
            if let Err(err) = self.decoder.send_packet(&packet) {
                tracing::debug!(error = %err, "skipping an undecodable packet");
                continue;
            }
            if !self.send_ready(pictures) {
                return self.end_pts();
            }
        }
        if self.decoder.send_eof().is_ok() {
            self.send_ready(pictures);
        }
        self.end_pts()
    }

    /// Sends the pictures the decoder has ready; false once no more are wanted.
    fn send_ready(&mut self, pictures: &SyncSender<frame::Video>) -> bool {
        let mut picture = frame::Video::empty();
        while self.decoder.receive_frame(&mut picture).is_ok() {
            let Some(pts) = self.presentation_time(&picture) else {
                continue;
            };
            let relative = pts - *self.first_pts.get_or_insert(pts);
            if relative >= self.limit {
                self.window_done = true;
                return false;
            }
            picture.set_pts(Some(relative));
            let ready = std::mem::replace(&mut picture, frame::Video::empty());
            if pictures.send(ready).is_err() {
                return false;
            }
        }
        true
    }

    /// Where the kept part ends, relative to the first shown picture: the window's end if
    /// the input was longer, else the end of the last picture.
    fn end_pts(&self) -> i64 {
        if self.window_done {
            return self.limit;
        }
        let first = self.first_pts.unwrap_or(0);
        self.last_pts
            .map_or(0, |last| last - first + self.last_duration.max(1))
    }

    /// The picture's presentation time, strictly after the previous one; pictures that
    /// would go back in time (broken edit lists, coarse time bases) are dropped.
    fn presentation_time(&mut self, picture: &frame::Video) -> Option<i64> {
        let pts = picture
            .timestamp()
            .or(picture.pts())
            .or_else(|| self.last_pts.map(|last| last + 1))?;
        if self.last_pts.is_some_and(|last| pts <= last) {
            return None;
        }
        // The container's own duration for this picture when it has one: with a variable
        // rate the gap before a picture says little about how long it is shown.
        let stored = picture.packet().duration;
        if stored > 0 {
            self.last_duration = stored;
        } else if let Some(last) = self.last_pts {
            self.last_duration = pts - last;
        } else if let Some(duration) = self.nominal_duration {
            self.last_duration = duration;
        }
        self.last_pts = Some(pts);
        Some(pts)
    }
}

#[cfg(test)]
mod tests {
    use super::{Pixel, queue_depth};

    #[test]
    fn the_queue_holds_fewer_pictures_the_larger_they_are() {
        assert_eq!(queue_depth(1920, 1080, Pixel::YUV420P), 10);
        assert_eq!(queue_depth(640, 360, Pixel::YUV420P), 16);
        assert_eq!(queue_depth(4096, 2304, Pixel::YUV420P10LE), 2);
        // ProRes 4444 with alpha: 40 bits per pixel.
        assert_eq!(queue_depth(1920, 1080, Pixel::YUVA444P10LE), 3);
        assert_eq!(queue_depth(0, 0, Pixel::YUV420P), 2);
    }
}
