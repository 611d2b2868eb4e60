//! The encoding end of the pipeline: libx264 into an MP4 with the index at the front, and
//! the poster JPEG.

use std::path::Path;

use ffmpeg_next::{
    Dictionary, Packet, Rational, codec, encoder,
    format::{self, Pixel},
    util::{color, frame},
};

use crate::{OUTPUT_FPS, OUTPUT_HEIGHT, OUTPUT_WIDTH, TranscodeError};

const TIME_BASE: Rational = Rational(1, OUTPUT_FPS);

/// An open MP4 being written, one H.264 stream at 30 fps, frames numbered 0, 1, 2, …
pub(crate) struct VideoOutput {
    muxer: format::context::Output,
    encoder: encoder::Video,
    stream_time_base: Rational,
    next_pts: i64,
}

impl VideoOutput {
    pub(crate) fn create(path: &Path, preset: &str, crf: u32) -> Result<Self, ffmpeg_next::Error> {
        let mut muxer = format::output_as(path, "mp4")?;
        let codec = encoder::find_by_name("libx264").ok_or(ffmpeg_next::Error::EncoderNotFound)?;
        let global_header = muxer
            .format()
            .flags()
            .contains(format::Flags::GLOBAL_HEADER);

        let mut video = codec::context::Context::new_with_codec(codec)
            .encoder()
            .video()?;
        video.set_width(OUTPUT_WIDTH);
        video.set_height(OUTPUT_HEIGHT);
        video.set_format(Pixel::YUV420P);
        video.set_aspect_ratio(Rational(1, 1));
        video.set_time_base(TIME_BASE);
        video.set_frame_rate(Some(Rational(OUTPUT_FPS, 1)));
        // Every picture is converted to BT.709 on its way here (HDR ones tone-mapped); saying
        // so keeps players from guessing, which they do differently.
        video.set_colorspace(color::Space::BT709);
        video.set_color_primaries(color::Primaries::BT709);
        video.set_color_transfer_characteristic(color::TransferCharacteristic::BT709);
        video.set_color_range(color::Range::MPEG);
        // Closed GOPs make every keyframe an IDR picture: browsers start decoding at the
        // keyframe before a seek target, and Chromium fails to decode an open GOP's leading
        // B-frames there (seeking past the first keyframe broke playback).
        let mut flags = codec::Flags::CLOSED_GOP;
        if global_header {
            flags |= codec::Flags::GLOBAL_HEADER;
        }
        video.set_flags(flags);
        let mut options = Dictionary::new();
        options.set("preset", preset);
        options.set("crf", &crf.to_string());
        // The loop filter on at its neutral strength, which every preset but ultrafast already
        // has: at ultrafast it makes the file ~2 % smaller and SSIM higher for ~1 % more CPU
        // time (scripts/bench-transcode). CABAC would save another ~8 % of the size but costs
        // ~4 % of the CPU time, which issue 4's wall-time target cannot spare.
        options.set("deblock", "0:0");
        // A codec context defaults to one thread; the ffmpeg CLI asks for one per core, and
        // x264 on one thread left the second core idle (wall 1.5x the CLI's at ultrafast).
        options.set("threads", "auto");
        let encoder = video.open_with(options)?;

        let mut stream = muxer.add_stream(codec)?;
        stream.set_parameters(&encoder);
        stream.set_time_base(TIME_BASE);
        stream.set_avg_frame_rate(Rational(OUTPUT_FPS, 1));

        let mut muxer_options = Dictionary::new();
        // As a muxer option; given to the encoder it would be silently ignored.
        muxer_options.set("movflags", "+faststart");
        muxer.write_header_with(muxer_options)?;
        let stream_time_base = muxer.stream(0).map_or(TIME_BASE, |s| s.time_base());

        Ok(Self {
            muxer,
            encoder,
            stream_time_base,
            next_pts: 0,
        })
    }

    /// Encodes `picture` as the next frame.
    pub(crate) fn push(&mut self, picture: &mut frame::Video) -> Result<(), ffmpeg_next::Error> {
        picture.set_pts(Some(self.next_pts));
        self.next_pts += 1;
        self.encoder.send_frame(picture)?;
        self.write_packets()
    }

    pub(crate) fn frames_written(&self) -> u64 {
        u64::try_from(self.next_pts).unwrap_or(0)
    }

    /// Drains the encoder and writes the index; the file is complete afterwards.
    pub(crate) fn finish(mut self) -> Result<(), ffmpeg_next::Error> {
        self.encoder.send_eof()?;
        self.write_packets()?;
        self.muxer.write_trailer()
    }

    fn write_packets(&mut self) -> Result<(), ffmpeg_next::Error> {
        let mut packet = Packet::empty();
        while self.encoder.receive_packet(&mut packet).is_ok() {
            packet.set_stream(0);
            packet.set_duration(1);
            packet.rescale_ts(TIME_BASE, self.stream_time_base);
            packet.write_interleaved(&mut self.muxer)?;
        }
        Ok(())
    }
}

/// Writes `picture` (YUV420P, BT.709 limited range) as a baseline JPEG to `path`.
pub(crate) fn write_poster(picture: &frame::Video, path: &Path) -> Result<(), TranscodeError> {
    let jpeg = encode_jpeg(picture).map_err(|source| TranscodeError::Codec {
        stage: "writing the poster",
        source,
    })?;
    std::fs::write(path, jpeg)?;
    Ok(())
}

pub(crate) fn encode_jpeg(picture: &frame::Video) -> Result<Vec<u8>, ffmpeg_next::Error> {
    // JPEG viewers read BT.601 full-range samples whatever the file says.
    let mut full_range = crate::convert::convert_picture(
        picture,
        "scale=in_color_matrix=bt709:in_range=tv:out_color_matrix=bt601:out_range=pc",
        Pixel::YUVJ420P,
    )?;
    full_range.set_pts(Some(0));

    let codec = encoder::find(codec::Id::MJPEG).ok_or(ffmpeg_next::Error::EncoderNotFound)?;
    let mut jpeg = codec::context::Context::new_with_codec(codec)
        .encoder()
        .video()?;
    jpeg.set_width(picture.width());
    jpeg.set_height(picture.height());
    jpeg.set_format(Pixel::YUVJ420P);
    jpeg.set_time_base(TIME_BASE);
    // Quantiser bounds on FFmpeg's 2–31 scale keep the poster sharp whatever the rate.
    let mut options = Dictionary::new();
    options.set("qmin", "2");
    options.set("qmax", "5");
    let mut jpeg = jpeg.open_with(options)?;

    jpeg.send_frame(&full_range)?;
    jpeg.send_eof()?;
    let mut packet = Packet::empty();
    jpeg.receive_packet(&mut packet)?;
    Ok(packet.data().unwrap_or_default().to_vec())
}
