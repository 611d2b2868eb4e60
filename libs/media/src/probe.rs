//! What an upload contains, read with the FFmpeg libraries before it is accepted.

use std::{io::Read, path::Path, time::Duration};

use ffmpeg_next::{Rational, codec, format, media, util::frame};

use crate::rotation;

/// Why a file was refused. The messages are written for the uploader.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProbeError {
    /// Not an MP4 (ISO base media) file.
    #[error("the file is not an MP4 video")]
    NotMp4,
    /// MP4 on the outside, but it cannot be read or decoded.
    #[error("the video cannot be read: {0}")]
    Unreadable(String),
    /// No video stream that holds real pictures (cover art does not count).
    #[error("the file has no video stream")]
    NoVideoStream,
    /// Pictures beyond the pixel budget ([`MAX_PIXELS`]).
    #[error(
        "the video is {width}x{height}; the largest accepted is {}x{}",
        MAX_PIXELS.0,
        MAX_PIXELS.1
    )]
    TooLarge {
        /// Stored picture width.
        width: u32,
        /// Stored picture height.
        height: u32,
    },
}

/// Facts about a media file.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaInfo {
    /// Demuxer name, e.g. `mov,mp4,m4a,3gp,3g2,mj2`.
    pub container: String,
    /// Codec of the chosen video stream, e.g. `h264`.
    pub video_codec: String,
    /// Index of the chosen video stream.
    pub video_stream: usize,
    /// Display width after rotation.
    pub width: u32,
    /// Display height after rotation.
    pub height: u32,
    /// Clockwise rotation from the display matrix, in degrees.
    pub rotation: u32,
    /// Pixel format name of the decoded pictures, e.g. `yuv420p`.
    pub pixel_format: String,
    /// Average frame rate, if known.
    pub frame_rate: Option<f64>,
    /// Number of frames the container declares for the video stream (0 if unknown).
    pub frame_count: u64,
    /// Duration of the file.
    pub duration: Duration,
    /// Whether any audio stream is present.
    pub has_audio: bool,
    /// Number of streams of every kind.
    pub stream_count: usize,
}

/// Reads the container, picks the video stream and decodes its first picture.
///
/// # Errors
/// [`ProbeError`] when the file is not an MP4, has no real video stream, or cannot be
/// read or decoded.
pub fn probe(path: &Path) -> Result<MediaInfo, ProbeError> {
    crate::init();
    if !has_ftyp_box(path)? {
        return Err(ProbeError::NotMp4);
    }
    // A file cut short can still open and decode its first pictures when its index is at
    // the front; its last box then claims more bytes than arrived.
    let (_, truncated) = crate::boxes::top_level_boxes(path)
        .map_err(|err| ProbeError::Unreadable(err.to_string()))?;
    if truncated {
        return Err(ProbeError::Unreadable(
            "the file is incomplete (it was cut off)".into(),
        ));
    }
    let mut input = format::input(path).map_err(|err| ProbeError::Unreadable(err.to_string()))?;
    let container = input.format().name().to_owned();
    if !container.contains("mp4") {
        return Err(ProbeError::NotMp4);
    }
    let index = pick_video_stream(&input).ok_or(ProbeError::NoVideoStream)?;
    let stream = input.stream(index).ok_or(ProbeError::NoVideoStream)?;
    let rotation = rotation::clockwise_degrees(&stream);
    let parameters = stream.parameters();
    let video_codec = parameters.id().name().to_owned();
    let frame_rate = rate_of(stream.avg_frame_rate());
    let frame_count = u64::try_from(stream.frames()).unwrap_or(0);
    let stream_duration = seconds(stream.duration(), stream.time_base());
    let has_audio = input
        .streams()
        .any(|s| s.parameters().medium() == media::Type::Audio);
    let stream_count = input.streams().count();

    let container_duration = u64::try_from(input.duration())
        .ok()
        .map(Duration::from_micros);
    let duration = container_duration
        .filter(|d| !d.is_zero())
        .or(stream_duration)
        .ok_or_else(|| ProbeError::Unreadable("its duration is unknown".into()))?;

    check_pixel_budget(&stream_size(&input, index)?)?;
    let first = first_picture(&mut input, index)?;
    let (mut width, mut height) = (first.width(), first.height());
    if rotation % 180 == 90 {
        std::mem::swap(&mut width, &mut height);
    }
    let pixel_format = first
        .format()
        .descriptor()
        .map(|descriptor| descriptor.name().to_owned())
        .unwrap_or_default();

    Ok(MediaInfo {
        container,
        video_codec,
        video_stream: index,
        width,
        height,
        rotation,
        pixel_format,
        frame_rate,
        frame_count,
        duration,
        has_audio,
        stream_count,
    })
}

/// The largest picture accepted: 4096x2304 (DCI 4K width at 16:9). Decoding, filtering and
/// frame queues hold several pictures at once, so an 8K upload would multiply the worker's
/// memory; it is refused from the stream header, before a picture is decoded.
pub const MAX_PIXELS: (u32, u32) = (4096, 2304);

fn stream_size(input: &format::context::Input, index: usize) -> Result<(u32, u32), ProbeError> {
    let stream = input.stream(index).ok_or(ProbeError::NoVideoStream)?;
    let video = codec::context::Context::from_parameters(stream.parameters())
        .and_then(|context| context.decoder().video())
        .map_err(|err| ProbeError::Unreadable(err.to_string()))?;
    Ok((video.width(), video.height()))
}

fn check_pixel_budget(&(width, height): &(u32, u32)) -> Result<(), ProbeError> {
    let (max_width, max_height) = MAX_PIXELS;
    if u64::from(width) * u64::from(height) > u64::from(max_width) * u64::from(max_height) {
        return Err(ProbeError::TooLarge { width, height });
    }
    Ok(())
}

/// Every MP4 starts with an `ftyp` box; checking it first keeps other formats that FFmpeg
/// would happily open (MKV, AVI, raw streams) out.
fn has_ftyp_box(path: &Path) -> Result<bool, ProbeError> {
    let mut head = [0u8; 8];
    let mut file =
        std::fs::File::open(path).map_err(|err| ProbeError::Unreadable(err.to_string()))?;
    match file.read_exact(&mut head) {
        Ok(()) => Ok(&head[4..8] == b"ftyp"),
        Err(_) => Ok(false),
    }
}

/// The stream a viewer would call "the video": the largest picture among video streams
/// that are not attached cover art, the lowest index winning ties, so the choice is the
/// same on every run.
pub(crate) fn pick_video_stream(input: &format::context::Input) -> Option<usize> {
    input
        .streams()
        .filter(|stream| stream.parameters().medium() == media::Type::Video)
        .filter(|stream| {
            !stream
                .disposition()
                .contains(format::stream::Disposition::ATTACHED_PIC)
        })
        .filter_map(|stream| {
            let decoder = codec::context::Context::from_parameters(stream.parameters()).ok()?;
            let video = decoder.decoder().video().ok()?;
            let area = u64::from(video.width()) * u64::from(video.height());
            Some((area, std::cmp::Reverse(stream.index())))
        })
        .max()
        .map(|(_, std::cmp::Reverse(index))| index)
}

/// Decodes packets of stream `index` until one picture comes out.
fn first_picture(
    input: &mut format::context::Input,
    index: usize,
) -> Result<frame::Video, ProbeError> {
    let stream = input.stream(index).ok_or(ProbeError::NoVideoStream)?;
    let context = codec::context::Context::from_parameters(stream.parameters())
        .map_err(|err| ProbeError::Unreadable(err.to_string()))?;
    let mut decoder = context
        .decoder()
        .video()
        .map_err(|err| ProbeError::Unreadable(err.to_string()))?;
    let mut picture = frame::Video::empty();

    // A valid stream yields a picture within a few packets; garbage may never.
    for (stream, packet) in input
        .packets()
        .filter(|(s, _)| s.index() == index)
        .take(300)
    {
        let _ = stream;
        if decoder.send_packet(&packet).is_ok() && decoder.receive_frame(&mut picture).is_ok() {
            return Ok(picture);
        }
    }
    if decoder.send_eof().is_ok() && decoder.receive_frame(&mut picture).is_ok() {
        return Ok(picture);
    }
    Err(ProbeError::Unreadable("no picture could be decoded".into()))
}

fn rate_of(rate: Rational) -> Option<f64> {
    (rate.numerator() > 0 && rate.denominator() > 0).then(|| f64::from(rate))
}

fn seconds(value: i64, time_base: Rational) -> Option<Duration> {
    if value <= 0 || time_base.denominator() == 0 {
        return None;
    }
    Duration::try_from_secs_f64(value as f64 * f64::from(time_base)).ok()
}
