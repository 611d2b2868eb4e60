//! The one-pass transcode: decode the chosen video stream, filter it to 1280x720 at a
//! constant 30 fps (rotation, de-interlacing, square pixels, letterbox or pillarbox), blend
//! the watermark, and encode it between the opening and closing bumpers.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use ffmpeg_next::{
    Rational, codec, filter,
    format::{self, Pixel},
    util::frame,
};

use crate::{
    OUTPUT_FPS, OUTPUT_HEIGHT, OUTPUT_WIDTH, artwork, canvas::Yuva, output, probe, rotation,
};

/// Encoder and timing choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscodeSettings {
    /// libx264 preset.
    pub preset: String,
    /// libx264 constant rate factor (lower is better and bigger).
    pub crf: u32,
    /// How much of the input is kept, from its first shown frame.
    pub max_main: Duration,
    /// Frames of the opening bumper.
    pub intro_frames: u32,
    /// Frames of the closing bumper.
    pub outro_frames: u32,
    /// Main-segment frame used for the poster (the last one if the video is shorter).
    pub poster_frame: u32,
}

impl Default for TranscodeSettings {
    fn default() -> Self {
        Self {
            preset: "veryfast".into(),
            crf: 23,
            max_main: Duration::from_secs(30),
            intro_frames: 2 * OUTPUT_FPS as u32,
            outro_frames: 2 * OUTPUT_FPS as u32,
            poster_frame: OUTPUT_FPS as u32,
        }
    }
}

/// What a transcode produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscodeReport {
    /// Frames of the opening bumper.
    pub intro_frames: u64,
    /// Frames taken from the input.
    pub main_frames: u64,
    /// Frames of the closing bumper.
    pub outro_frames: u64,
    /// Length of the output.
    pub duration: Duration,
    /// Size of the output file.
    pub output_bytes: u64,
}

/// Why a transcode failed. Input problems are worded for the uploader.
#[derive(Debug, thiserror::Error)]
pub enum TranscodeError {
    /// The input cannot be opened or has no usable video.
    #[error("the video cannot be processed: {0}")]
    Input(String),
    /// The FFmpeg libraries failed while filtering or encoding.
    #[error("processing failed in {stage}: {source}")]
    Codec {
        /// Which step failed.
        stage: &'static str,
        /// The library's error.
        source: ffmpeg_next::Error,
    },
    /// Reading or writing files failed.
    #[error("storage error: {0}")]
    Io(#[from] std::io::Error),
}

impl TranscodeError {
    /// Whether running the same job again cannot help (the input itself is at fault).
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Input(_))
    }
}

fn stage(stage: &'static str) -> impl FnOnce(ffmpeg_next::Error) -> TranscodeError {
    move |source| TranscodeError::Codec { stage, source }
}

/// Transcodes `input` into `output` (MP4) and `poster` (JPEG). Blocking: run it on a
/// blocking thread. Both files are written under temporary names and renamed at the end,
/// so a crash never leaves a half file under a final name, and a re-run overwrites.
///
/// # Errors
/// [`TranscodeError`] when the input is unusable or a library or file step fails.
pub fn transcode(
    input: &Path,
    output: &Path,
    poster: &Path,
    settings: &TranscodeSettings,
) -> Result<TranscodeReport, TranscodeError> {
    crate::init();
    let (output_part, poster_part) = (part_path(output), part_path(poster));
    let result = run(input, &output_part, &poster_part, settings);
    if result.is_err() {
        let _ = std::fs::remove_file(&output_part);
        let _ = std::fs::remove_file(&poster_part);
        return result;
    }
    std::fs::rename(&poster_part, poster)?;
    std::fs::rename(&output_part, output)?;
    let mut report = result?;
    report.output_bytes = std::fs::metadata(output)?.len();
    Ok(report)
}

fn part_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".part-{}", std::process::id()));
    path.with_file_name(name)
}

fn run(
    input: &Path,
    output_path: &Path,
    poster_path: &Path,
    settings: &TranscodeSettings,
) -> Result<TranscodeReport, TranscodeError> {
    let mut demuxer = format::input(input).map_err(|err| TranscodeError::Input(err.to_string()))?;
    let index = probe::pick_video_stream(&demuxer)
        .ok_or_else(|| TranscodeError::Input("it has no video stream".into()))?;
    let stream = demuxer
        .stream(index)
        .ok_or_else(|| TranscodeError::Input("it has no video stream".into()))?;
    let time_base = stream.time_base();
    let rotation = rotation::clockwise_degrees(&stream);
    let mut context = codec::context::Context::from_parameters(stream.parameters())
        .map_err(|err| TranscodeError::Input(err.to_string()))?;
    // Frame threading as the ffmpeg CLI does; one thread is about 20 % slower.
    context.set_threading(codec::threading::Config {
        kind: codec::threading::Type::Frame,
        count: 0,
        ..Default::default()
    });
    let decoder = context
        .decoder()
        .video()
        .map_err(|err| TranscodeError::Input(err.to_string()))?;

    let mut encoder = output::VideoOutput::create(output_path, &settings.preset, settings.crf)
        .map_err(stage("opening the encoder"))?;
    let bumper = bumper_frame();
    for _ in 0..settings.intro_frames {
        encoder
            .push(&mut bumper.clone())
            .map_err(stage("encoding the opening bumper"))?;
    }

    let mut main = MainSegment::new(decoder, time_base, rotation, settings);
    for (packet_stream, packet) in demuxer.packets() {
        if packet_stream.index() != index {
            continue;
        }
        main.decode_packet(&packet, &mut encoder)?;
        if main.is_full() {
            break;
        }
    }
    main.finish(&mut encoder)?;
    let (main_frames, poster) = (main.frames, main.poster);
    let poster =
        poster.ok_or_else(|| TranscodeError::Input("no picture could be decoded".into()))?;

    for _ in 0..settings.outro_frames {
        encoder
            .push(&mut bumper.clone())
            .map_err(stage("encoding the closing bumper"))?;
    }
    let written = encoder.frames_written();
    encoder.finish().map_err(stage("finishing the output"))?;
    output::write_poster(&poster, poster_path).map_err(stage("writing the poster"))?;

    Ok(TranscodeReport {
        intro_frames: u64::from(settings.intro_frames),
        main_frames,
        outro_frames: u64::from(settings.outro_frames),
        duration: Duration::from_secs_f64(written as f64 / f64::from(OUTPUT_FPS)),
        output_bytes: 0,
    })
}

fn bumper_frame() -> frame::Video {
    let mut picture = frame::Video::new(Pixel::YUV420P, OUTPUT_WIDTH, OUTPUT_HEIGHT);
    artwork::bumper().blend_onto(&mut picture, 0, 0);
    picture
}

/// The decoded input on its way through the filter graph to the encoder.
struct MainSegment {
    decoder: ffmpeg_next::decoder::Video,
    time_base: Rational,
    rotation: u32,
    graph: Option<filter::Graph>,
    watermark: Yuva,
    first_pts: Option<i64>,
    last_pts: Option<i64>,
    last_duration: i64,
    nominal_duration: Option<i64>,
    limit: i64,
    max_frames: u64,
    frames: u64,
    poster_frame: u64,
    poster: Option<frame::Video>,
    input_done: bool,
}

impl MainSegment {
    fn new(
        decoder: ffmpeg_next::decoder::Video,
        time_base: Rational,
        rotation: u32,
        settings: &TranscodeSettings,
    ) -> Self {
        let seconds = settings.max_main.as_secs_f64();
        // One picture's duration at the declared rate, for a single-picture input.
        let nominal_duration = decoder
            .frame_rate()
            .filter(|rate| rate.numerator() > 0 && rate.denominator() > 0)
            .map(|rate| (f64::from(rate.invert()) / f64::from(time_base)).round() as i64);
        let limit = (seconds * f64::from(time_base.denominator())
            / f64::from(time_base.numerator().max(1)))
        .round() as i64;
        Self {
            decoder,
            time_base,
            rotation,
            graph: None,
            watermark: artwork::watermark(),
            first_pts: None,
            last_pts: None,
            last_duration: 0,
            nominal_duration,
            limit,
            max_frames: (seconds * f64::from(OUTPUT_FPS)).round() as u64,
            frames: 0,
            poster_frame: u64::from(settings.poster_frame),
            poster: None,
            input_done: false,
        }
    }

    /// Where the kept part ends, relative to the first shown picture: the window's end if
    /// the input was longer, else the end of the last picture.
    fn end_pts(&self) -> i64 {
        if self.input_done {
            return self.limit;
        }
        let first = self.first_pts.unwrap_or(0);
        self.last_pts
            .map_or(0, |last| last - first + self.last_duration.max(1))
    }

    fn is_full(&self) -> bool {
        self.input_done || self.frames >= self.max_frames
    }

    fn decode_packet(
        &mut self,
        packet: &ffmpeg_next::Packet,
        encoder: &mut output::VideoOutput,
    ) -> Result<(), TranscodeError> {
        // A damaged packet in a truncated or glitchy file loses a picture, not the video.
        if let Err(err) = self.decoder.send_packet(packet) {
            tracing::debug!(error = %err, "skipping an undecodable packet");
            return Ok(());
        }
        self.receive_pictures(encoder)
    }

    fn finish(&mut self, encoder: &mut output::VideoOutput) -> Result<(), TranscodeError> {
        if !self.input_done && self.decoder.send_eof().is_ok() {
            self.receive_pictures(encoder)?;
        }
        let end = self.end_pts();
        if let Some(graph) = self.graph.as_mut() {
            close(graph, end).map_err(stage("flushing the filters"))?;
            self.drain_filters(encoder)?;
        }
        Ok(())
    }

    fn receive_pictures(
        &mut self,
        encoder: &mut output::VideoOutput,
    ) -> Result<(), TranscodeError> {
        let mut picture = frame::Video::empty();
        while !self.input_done && self.decoder.receive_frame(&mut picture).is_ok() {
            let Some(pts) = self.presentation_time(&picture) else {
                continue;
            };
            let first = *self.first_pts.get_or_insert(pts);
            let relative = pts - first;
            if relative >= self.limit {
                self.input_done = true;
                break;
            }
            if self.graph.is_none() {
                self.graph = Some(build_graph(&picture, self.time_base, self.rotation)?);
            }
            picture.set_pts(Some(relative));
            let graph = self.graph.as_mut().expect("the graph was built above");
            feed(graph, &picture).map_err(stage("filtering"))?;
            self.drain_filters(encoder)?;
        }
        Ok(())
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
        if let Some(last) = self.last_pts {
            self.last_duration = pts - last;
        } else if let Some(duration) = self.nominal_duration {
            self.last_duration = duration;
        }
        self.last_pts = Some(pts);
        Some(pts)
    }

    fn drain_filters(&mut self, encoder: &mut output::VideoOutput) -> Result<(), TranscodeError> {
        let Some(graph) = self.graph.as_mut() else {
            return Ok(());
        };
        let mut filtered = frame::Video::empty();
        loop {
            let mut output = graph.get("out").expect("the sink is part of the graph");
            if output.sink().frame(&mut filtered).is_err() {
                break;
            }
            if self.frames >= self.max_frames {
                continue;
            }
            // Filters may share their buffers; blend on a picture of our own.
            let mut picture = filtered.clone();
            let (x, y, _, _) = artwork::WATERMARK_RECT;
            self.watermark
                .blend_onto(&mut picture, x as usize, y as usize);
            if self.frames <= self.poster_frame {
                self.poster = Some(picture.clone());
            }
            encoder.push(&mut picture).map_err(stage("encoding"))?;
            self.frames += 1;
        }
        Ok(())
    }
}

/// Feeds `picture` to the graph's source.
fn feed(graph: &mut filter::Graph, picture: &frame::Video) -> Result<(), ffmpeg_next::Error> {
    graph
        .get("in")
        .expect("the source is part of the graph")
        .source()
        .add(picture)
}

/// Ends the input at `end_pts`, so the fps filter fills the last picture's whole duration
/// (a 4 s window at 25 fps gives 120 output frames, not 119).
fn close(graph: &mut filter::Graph, end_pts: i64) -> Result<(), ffmpeg_next::Error> {
    graph
        .get("in")
        .expect("the source is part of the graph")
        .source()
        .close(end_pts)
}

/// Builds `buffer → filters → buffersink` for pictures like `first`.
fn build_graph(
    first: &frame::Video,
    time_base: Rational,
    rotation: u32,
) -> Result<filter::Graph, TranscodeError> {
    let mut graph = filter::Graph::new();
    let pixel_format = first
        .format()
        .descriptor()
        .map(|descriptor| descriptor.name())
        .ok_or_else(|| TranscodeError::Input("unknown pixel format".into()))?;
    let aspect = first.aspect_ratio();
    let (sar_num, sar_den) = if aspect.numerator() > 0 && aspect.denominator() > 0 {
        (aspect.numerator(), aspect.denominator())
    } else {
        (1, 1)
    };
    let args = format!(
        "video_size={}x{}:pix_fmt={pixel_format}:time_base={}/{}:pixel_aspect={sar_num}/{sar_den}",
        first.width(),
        first.height(),
        time_base.numerator(),
        time_base.denominator(),
    );
    let buffer =
        filter::find("buffer").ok_or_else(|| TranscodeError::Input("no buffer filter".into()))?;
    let sink = filter::find("buffersink")
        .ok_or_else(|| TranscodeError::Input("no buffersink filter".into()))?;
    graph
        .add(&buffer, "in", &args)
        .map_err(stage("configuring the filters"))?;
    graph
        .add(&sink, "out", "")
        .map_err(stage("configuring the filters"))?;
    graph
        .get("out")
        .expect("just added")
        .set_pixel_format(Pixel::YUV420P);

    let spec = filter_spec(rotation, first.is_interlaced(), (sar_num, sar_den));
    graph
        .output("in", 0)
        .and_then(|parser| parser.input("out", 0))
        .and_then(|parser| parser.parse(&spec))
        .map_err(stage("configuring the filters"))?;
    graph.validate().map_err(stage("configuring the filters"))?;
    Ok(graph)
}

/// The filter chain: upright, progressive, square pixels, fitted into 1280x720 with black
/// bars, constant 30 fps, 8-bit 4:2:0.
fn filter_spec(rotation: u32, interlaced: bool, (sar_num, sar_den): (i32, i32)) -> String {
    let mut chain = Vec::new();
    if interlaced {
        chain.push("yadif=mode=send_frame:parity=auto:deint=interlaced".to_owned());
    }
    match rotation {
        90 => chain.push("transpose=clock".to_owned()),
        180 => chain.push("hflip,vflip".to_owned()),
        270 => chain.push("transpose=cclock".to_owned()),
        _ => {}
    }
    if sar_num != sar_den {
        chain.push(format!("scale=w=trunc(iw*{sar_num}/{sar_den}/2)*2:h=ih"));
    }
    chain.push(format!(
        "scale=w={OUTPUT_WIDTH}:h={OUTPUT_HEIGHT}:force_original_aspect_ratio=decrease:force_divisible_by=2"
    ));
    chain.push(format!(
        "pad=w={OUTPUT_WIDTH}:h={OUTPUT_HEIGHT}:x=(ow-iw)/2:y=(oh-ih)/2:color=black"
    ));
    chain.push("setsar=1".to_owned());
    chain.push(format!("fps={OUTPUT_FPS}"));
    chain.push("format=yuv420p".to_owned());
    chain.join(",")
}

#[cfg(test)]
mod tests {
    use super::filter_spec;

    #[test]
    fn the_filter_chain_turns_rotated_anamorphic_interlaced_input_upright_and_square() {
        let spec = filter_spec(90, true, (4, 3));

        assert!(
            spec.starts_with("yadif=mode=send_frame:parity=auto:deint=interlaced,transpose=clock,")
        );
        assert!(spec.contains("scale=w=trunc(iw*4/3/2)*2:h=ih,"));
        assert!(spec.ends_with("setsar=1,fps=30,format=yuv420p"));
        assert!(!filter_spec(0, false, (1, 1)).contains("transpose"));
    }
}
