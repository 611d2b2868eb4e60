//! One generated clip per awkward real-world media kind, each checked for the exact output
//! a viewer would notice: size, frame count, pixel format, picture orientation and placement.

use std::{path::Path, time::Duration};

use anb_media::{
    OUTPUT_FPS, ProbeError, Rgb, TranscodeReport, TranscodeSettings,
    fixtures::{
        COVER_COLOUR, ClipSpec, FIXTURE_BACKGROUND, MARKER, MOVING_BAR_ROWS, MOVING_BAR_STEP,
        MediaSpec, RgbFrame, SECOND_VIDEO_COLOUR, Timing, decode_frame_rgb, moov_before_mdat,
        moving_bar_x, summarise_video, write_audio_only, write_clip, write_media,
    },
    probe, transcode,
};

mod colour;
mod container;

const BLACK: Rgb = Rgb(0, 0, 0);

struct Outcome {
    _folder: tempfile::TempDir,
    input: std::path::PathBuf,
    output: std::path::PathBuf,
    report: TranscodeReport,
}

fn quick() -> TranscodeSettings {
    TranscodeSettings {
        preset: "ultrafast".into(),
        max_main: Duration::from_secs(4),
        ..TranscodeSettings::default()
    }
}

fn run(spec: &MediaSpec, settings: &TranscodeSettings) -> Outcome {
    let folder = tempfile::tempdir().expect("temp dir");
    let input = folder.path().join("input.mp4");
    write_media(&input, spec).expect("fixture");
    let (output, poster) = (folder.path().join("out.mp4"), folder.path().join("p.jpg"));
    let report = transcode(&input, &output, &poster, settings).expect("transcode");
    Outcome {
        _folder: folder,
        input,
        output,
        report,
    }
}

/// A picture from the middle of the main segment (after the 2 s opening bumper).
fn main_picture(outcome: &Outcome) -> RgbFrame {
    decode_frame_rgb(&outcome.output, Duration::from_millis(2500)).expect("main picture")
}

#[track_caller]
fn assert_colour(frame: &RgbFrame, (x, y): (u32, u32), expected: Rgb) {
    let actual = frame.pixel(x, y);
    assert!(
        actual.is_close_to(expected, 24),
        "({x}, {y}) is {actual:?}, expected {expected:?}"
    );
}

fn main_frames(report: &TranscodeReport) -> u64 {
    assert_eq!((report.intro_frames, report.outro_frames), (60, 60));
    report.main_frames
}

#[test]
fn rotation_in_the_display_matrix_comes_out_upright() {
    // 320x180 stored, marker 45 px in the stored top-left corner.
    let cases = [
        // 90: shown 180x320, 404 wide at x 438; the corner turns to the top right.
        (90, (820, 30), (460, 30)),
        // 180: shown 320x180 filling the frame; the corner turns to the bottom right,
        // just left of the watermark.
        (180, (1112, 556), (30, 30)),
        // 270: the corner turns to the bottom left.
        (270, (470, 690), (470, 30)),
        (0, (30, 30), (1100, 30)),
    ];
    for (rotation, marker_at, background_at) in cases {
        let mut spec = MediaSpec::new(320, 180, 30);
        spec.rotation = rotation;
        let outcome = run(&spec, &quick());

        let info = probe(&outcome.input).expect("input probes");
        assert_eq!(info.rotation, rotation);
        let frame = main_picture(&outcome);
        assert_colour(&frame, marker_at, MARKER);
        assert_colour(&frame, background_at, FIXTURE_BACKGROUND);
        assert_eq!(main_frames(&outcome.report), 30, "rotation {rotation}");
    }
}

#[test]
fn odd_width_and_height_are_fitted_between_even_bars() {
    let outcome = run(&MediaSpec::new(321, 241, 30), &quick());

    let info = probe(&outcome.input).expect("input probes");
    assert_eq!((info.width, info.height), (321, 241));
    let out = probe(&outcome.output).expect("output probes");
    assert_eq!((out.width, out.height), (1280, 720));
    assert_eq!(main_frames(&outcome.report), 30);
    // 321x241 at height 720 is 958 wide: bars of 161 px each side.
    let frame = main_picture(&outcome);
    assert_colour(&frame, (150, 360), BLACK);
    assert_colour(&frame, (175, 360), FIXTURE_BACKGROUND);
    assert_colour(&frame, (1105, 360), FIXTURE_BACKGROUND);
    assert_colour(&frame, (1130, 360), BLACK);
}

#[test]
fn a_variable_frame_rate_becomes_30_fps_with_the_same_duration() {
    let mut spec = MediaSpec::new(320, 240, 90);
    spec.timing = Timing::Cycle(vec![20, 50, 30]);
    let outcome = run(&spec, &quick());

    assert_eq!(spec.duration_ms(), 3000);
    assert_eq!(main_frames(&outcome.report), 90);
    let out = probe(&outcome.output).expect("output probes");
    assert_eq!(out.frame_rate, Some(f64::from(OUTPUT_FPS)));
    assert_eq!(out.frame_count, 210);
}

#[test]
fn a_10_bit_source_comes_out_8_bit_yuv420p() {
    let mut spec = MediaSpec::new(320, 240, 30);
    spec.ten_bit = true;
    let outcome = run(&spec, &quick());

    assert_eq!(
        probe(&outcome.input).expect("input").pixel_format,
        "yuv420p10le"
    );
    let summary = summarise_video(&outcome.output).expect("output decodes");
    assert_eq!(summary.pixel_format, "yuv420p");
    assert_eq!(summary.timestamps.len(), 150);
    assert_eq!(main_frames(&outcome.report), 30);
    assert_colour(&main_picture(&outcome), (640, 500), FIXTURE_BACKGROUND);
}

#[test]
fn a_silent_camera_file_with_its_index_at_the_end_is_processed() {
    let folder = tempfile::tempdir().expect("temp dir");
    let input = folder.path().join("camera.mp4");
    let spec = ClipSpec {
        width: 320,
        height: 240,
        seconds: 1.0,
        fps: 30,
        with_audio: false,
    };
    write_clip(&input, &spec).expect("clip");
    let (output, poster) = (folder.path().join("out.mp4"), folder.path().join("p.jpg"));

    let info = probe(&input).expect("input probes");
    assert!(
        !moov_before_mdat(&input).expect("boxes"),
        "index at the end"
    );
    assert_eq!((info.has_audio, info.stream_count), (false, 1));
    let report = transcode(&input, &output, &poster, &quick()).expect("transcode");
    assert_eq!(main_frames(&report), 30);
    assert!(moov_before_mdat(&output).expect("boxes"));
}

#[test]
fn an_audio_only_file_is_refused_at_probe_with_its_reason() {
    let folder = tempfile::tempdir().expect("temp dir");
    let input = folder.path().join("song.mp4");
    write_audio_only(&input, 2).expect("audio file");
    let (output, poster) = (folder.path().join("out.mp4"), folder.path().join("p.jpg"));

    let refused = probe(&input).expect_err("audio only");
    assert_eq!(refused, ProbeError::NoVideoStream);
    assert_eq!(refused.to_string(), "the file has no video stream");
    let failed = transcode(&input, &output, &poster, &quick()).expect_err("no video");
    assert!(failed.is_permanent(), "{failed}");
    assert!(!Path::new(&output).exists());
}

#[test]
fn a_single_frame_clip_yields_one_main_frame() {
    let outcome = run(&MediaSpec::new(320, 240, 1), &quick());

    assert_eq!(main_frames(&outcome.report), 1);
    assert_eq!(probe(&outcome.output).expect("output").frame_count, 121);
}

#[test]
fn with_two_video_streams_the_larger_one_is_chosen_every_time() {
    let mut spec = MediaSpec::new(320, 180, 30);
    spec.second_video = true;
    spec.with_audio = true;
    let first = run(&spec, &quick());
    let second = run(&spec, &quick());

    let info = probe(&first.input).expect("input probes");
    assert_eq!((info.stream_count, info.video_stream), (3, 1));
    assert_eq!((info.width, info.height), (320, 180));
    for outcome in [&first, &second] {
        let frame = main_picture(outcome);
        assert_colour(&frame, (640, 360), FIXTURE_BACKGROUND);
        assert!(!frame.pixel(640, 360).is_close_to(SECOND_VIDEO_COLOUR, 60));
        assert_eq!(main_frames(&outcome.report), 30);
    }
}

#[test]
fn a_cover_picture_larger_than_the_video_is_never_taken_for_it() {
    let mut spec = MediaSpec::new(320, 180, 30);
    spec.cover_art = true;
    let outcome = run(&spec, &quick());

    let info = probe(&outcome.input).expect("input probes");
    assert_eq!((info.stream_count, info.video_stream), (2, 0));
    assert_eq!((info.width, info.height), (320, 180));
    let frame = main_picture(&outcome);
    assert_colour(&frame, (640, 360), FIXTURE_BACKGROUND);
    assert!(!frame.pixel(640, 360).is_close_to(COVER_COLOUR, 60));
    assert_eq!(main_frames(&outcome.report), 30);
}

#[test]
fn non_square_pixels_keep_the_display_aspect_and_come_out_square() {
    // 480x360 with 4:3 pixels is shown 640x360, 16:9: it fills the frame without bars.
    let mut spec = MediaSpec::new(480, 360, 30);
    spec.sample_aspect = (4, 3);
    let outcome = run(&spec, &quick());

    assert_eq!(
        summarise_video(&outcome.input)
            .expect("input")
            .sample_aspect,
        (4, 3)
    );
    let summary = summarise_video(&outcome.output).expect("output decodes");
    assert_eq!(summary.sample_aspect, (1, 1));
    let frame = main_picture(&outcome);
    assert_colour(&frame, (20, 360), FIXTURE_BACKGROUND);
    assert_colour(&frame, (1260, 360), FIXTURE_BACKGROUND);
    // The 90 px marker of the stored picture is 120 px wide once its pixels are square:
    // 240 px in the output.
    assert_colour(&frame, (230, 100), MARKER);
    assert_colour(&frame, (250, 100), FIXTURE_BACKGROUND);
}

#[test]
fn an_interlaced_source_comes_out_progressive() {
    let mut spec = MediaSpec::new(320, 240, 30);
    spec.interlaced = true;
    let outcome = run(&spec, &quick());

    assert_eq!(
        summarise_video(&outcome.input).expect("input").interlaced,
        30
    );
    let summary = summarise_video(&outcome.output).expect("output decodes");
    assert_eq!(summary.interlaced, 0);
    assert_eq!(main_frames(&outcome.report), 30);

    // Main frame 15 (2.5 s) holds input frame 15: its first (bottom) field shows the bar at
    // one place, its top field one step further on. Woven together that is a comb of white
    // lines; de-interlaced, only the first field's bar remains. 320x240 is drawn 3x at x 160.
    let frame = main_picture(&outcome);
    let column = |x_in: u32| 160 + 3 * x_in + 3 * MOVING_BAR_STEP / 2;
    let (top, rows) = MOVING_BAR_ROWS;
    let white_rows = |x: u32| {
        (3 * top + 6..3 * (top + rows) - 6)
            .filter(|y| frame.pixel(x, *y).1 > 150)
            .count()
    };
    let first_field_bar = column(moving_bar_x(30, 320));
    let second_field_bar = column(moving_bar_x(31, 320));
    assert!(
        white_rows(first_field_bar) > 120,
        "{}",
        white_rows(first_field_bar)
    );
    assert_eq!(white_rows(second_field_bar), 0, "combing left");
    assert_colour(&frame, (640, 600), FIXTURE_BACKGROUND);
}

#[test]
fn film_rate_in_a_coarse_time_base_gives_strictly_increasing_timestamps() {
    // 96 frames at 24000/1001 fps last 4.004 s; stored in milliseconds.
    let mut spec = MediaSpec::new(320, 240, 96);
    spec.timing = Timing::Constant(24_000, 1001);
    spec.time_scale = Some(1000);
    let outcome = run(
        &spec,
        &TranscodeSettings {
            max_main: Duration::from_secs(10),
            ..quick()
        },
    );

    let input = summarise_video(&outcome.input).expect("input decodes");
    assert_eq!(input.time_base, (1, 1000));
    assert_eq!(main_frames(&outcome.report), 120);
    let output = summarise_video(&outcome.output).expect("output decodes");
    assert_eq!(output.timestamps.len(), 240);
    assert!(
        output.timestamps.windows(2).all(|pair| pair[0] < pair[1]),
        "{:?}",
        output.timestamps
    );
}

#[test]
fn an_8k_picture_is_refused_at_probe_by_the_pixel_budget() {
    let folder = tempfile::tempdir().expect("temp dir");
    let input = folder.path().join("8k.mp4");
    write_media(&input, &MediaSpec::new(7680, 4320, 1)).expect("fixture");

    let refused = probe(&input).expect_err("8K");
    assert_eq!(
        refused,
        ProbeError::TooLarge {
            width: 7680,
            height: 4320
        }
    );
    assert_eq!(
        refused.to_string(),
        "the video is 7680x4320; the largest accepted is 4096x2304"
    );
}

#[test]
fn a_40_second_input_yields_exactly_900_main_frames_and_both_bumpers() {
    let outcome = run(
        &MediaSpec::new(160, 90, 1200),
        &TranscodeSettings {
            preset: "ultrafast".into(),
            ..TranscodeSettings::default()
        },
    );

    assert_eq!(main_frames(&outcome.report), 900);
    let out = probe(&outcome.output).expect("output probes");
    assert_eq!(out.frame_count, 1020);
    assert_eq!(outcome.report.duration, Duration::from_secs(34));
}
