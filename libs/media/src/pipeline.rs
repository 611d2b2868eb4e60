//! The one-pass transcode: decode the chosen video stream, filter it to 1280x720 at a
//! constant 30 fps in BT.709 (rotation, de-interlacing, square pixels, HDR tone mapping,
//! letterbox or pillarbox), blend the watermark, and encode it between the opening and
//! closing bumpers.

mod colour;
mod decode;
mod filters;
mod segment;

use std::{
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, Ordering},
        mpsc,
    },
    time::Duration,
};

use ffmpeg_next::{
    codec,
    format::{self, Pixel},
    util::frame,
};

use crate::{OUTPUT_FPS, OUTPUT_HEIGHT, OUTPUT_WIDTH, artwork, output, probe, rotation};

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

/// A temporary name beside `path`, unique within and across processes.
fn part_path(path: &Path) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(
        ".part-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
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
    // The encoder copies each picture it is given, so one bumper picture serves every frame.
    let mut bumper = bumper_frame();
    let mut main = segment::MainSegment::new(time_base, rotation, settings);
    let queue = decode::queue_depth(decoder.width(), decoder.height(), decoder.format());
    let decoding = decode::Decoding::new(decoder, time_base, settings.max_main);
    let end_pts = std::thread::scope(|scope| {
        let (sender, pictures) = mpsc::sync_channel(queue);
        // The job's span, so the decoder's log lines still name the video.
        let span = tracing::Span::current();
        let decoder_thread =
            scope.spawn(move || span.in_scope(|| decoding.run(&mut demuxer, index, &sender)));
        for _ in 0..settings.intro_frames {
            encoder
                .push(&mut bumper)
                .map_err(stage("encoding the opening bumper"))?;
        }
        for picture in &pictures {
            main.push(picture, &mut encoder)?;
            if main.is_full() {
                break;
            }
        }
        // Hanging up stops the decoder thread at its next picture.
        drop(pictures);
        let end_pts = decoder_thread
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok::<_, TranscodeError>(end_pts)
    })?;
    main.finish(end_pts, &mut encoder)?;
    let (main_frames, poster) = main.into_result();
    let poster =
        poster.ok_or_else(|| TranscodeError::Input("no picture could be decoded".into()))?;

    for _ in 0..settings.outro_frames {
        encoder
            .push(&mut bumper)
            .map_err(stage("encoding the closing bumper"))?;
    }
    let written = encoder.frames_written();
    encoder.finish().map_err(stage("finishing the output"))?;
    output::write_poster(&poster, poster_path)?;

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
