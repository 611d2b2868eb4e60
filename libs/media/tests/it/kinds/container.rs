//! What the container says around the pictures: edit lists and late starts, extra data
//! and timecode tracks, files cut short.

use std::time::Duration;

use anb_media::{
    ProbeError,
    fixtures::{
        MOVING_BAR_ROWS, MOVING_BAR_STEP, MediaSpec, RgbFrame, decode_frame_rgb, moving_bar_x,
        write_media,
    },
    probe, transcode,
};

use super::{Outcome, main_frames, quick, run};

/// The numbers of a numbered 320x240 fixture (drawn 3x at x 160) whose bar is white in
/// `frame`, among `candidates`.
fn numbers_shown(frame: &RgbFrame, candidates: std::ops::Range<u32>) -> Vec<u32> {
    let row = 3 * (MOVING_BAR_ROWS.0 + MOVING_BAR_ROWS.1 / 2);
    candidates
        .filter(|n| {
            let column = 160 + 3 * (moving_bar_x(2 * n, 320) + MOVING_BAR_STEP / 2);
            frame.pixel(column, row).1 > 200
        })
        .collect()
}

/// The first main-segment picture: the opening bumper is 60 frames, 2 s.
fn first_main_picture(outcome: &Outcome) -> RgbFrame {
    decode_frame_rgb(&outcome.output, Duration::from_secs(2)).expect("first main picture")
}

fn numbered(frames: u32, start_ms: i64) -> MediaSpec {
    let mut spec = MediaSpec::new(320, 240, frames);
    spec.numbered = true;
    spec.start_ms = start_ms;
    spec
}

#[test]
fn frames_hidden_by_an_edit_list_are_not_shown_and_the_window_starts_at_the_first_shown_one() {
    // 60 frames from -500 ms: frames 0 to 14 come before the edit, 15 to 59 are shown.
    let outcome = run(&numbered(60, -500), &quick());

    let input = probe(&outcome.input).expect("input probes");
    assert_eq!(input.duration, Duration::from_millis(1500));

    assert_eq!(main_frames(&outcome.report), 45);
    assert_eq!(
        numbers_shown(&first_main_picture(&outcome), 0..19),
        vec![15]
    );
}

#[test]
fn a_video_that_starts_late_keeps_every_picture_without_a_leading_gap() {
    // 60 frames from 700 ms, behind an empty edit: the window starts at frame 0.
    let outcome = run(&numbered(60, 700), &quick());

    // The container counts the empty edit; the pictures last 2 s.
    let input = probe(&outcome.input).expect("input probes");
    assert_eq!(input.duration, Duration::from_millis(2700));

    assert_eq!(main_frames(&outcome.report), 60);
    assert_eq!(numbers_shown(&first_main_picture(&outcome), 0..19), vec![0]);
    assert_eq!(outcome.report.duration, Duration::from_secs(6));
}

#[test]
fn a_timecode_track_is_ignored_and_only_the_picture_comes_out() {
    let mut spec = MediaSpec::new(320, 240, 45);
    spec.timecode = true;
    spec.with_audio = true;
    let outcome = run(&spec, &quick());

    let input = probe(&outcome.input).expect("input probes");
    assert_eq!((input.stream_count, input.video_stream), (3, 0));
    assert_eq!(data_streams(&outcome.input), 1);
    let output = probe(&outcome.output).expect("output probes");
    assert_eq!(output.stream_count, 1);
    assert_eq!(data_streams(&outcome.output), 0);
    assert_eq!(main_frames(&outcome.report), 45);
    assert_eq!(output.frame_count, 165);
    assert_eq!(outcome.report.duration, Duration::from_millis(5500));
}

/// An upload cut off in the middle (a dropped connection, a copy interrupted) is refused
/// with a reason that says so, and a worker handed one anyway fails for good: retrying
/// cannot bring the missing pictures back.
#[test]
fn a_camera_file_cut_in_the_middle_of_its_pictures_is_refused_as_incomplete() {
    let folder = tempfile::tempdir().expect("temp dir");
    let (whole, cut) = (
        folder.path().join("whole.mp4"),
        folder.path().join("cut.mp4"),
    );
    write_media(&whole, &MediaSpec::new(320, 240, 60)).expect("fixture");
    let bytes = std::fs::read(&whole).expect("read");
    let mdat = bytes
        .windows(4)
        .position(|kind| kind == b"mdat")
        .expect("mdat")
        - 4;
    let mdat_size = u32::from_be_bytes(bytes[mdat..mdat + 4].try_into().expect("4 bytes"));
    std::fs::write(&cut, &bytes[..mdat + mdat_size as usize / 2]).expect("write");
    let (output, poster) = (folder.path().join("out.mp4"), folder.path().join("p.jpg"));

    assert_eq!(probe(&whole).expect("whole file").frame_count, 60);
    let refused = probe(&cut).expect_err("cut file");
    assert_eq!(
        refused,
        ProbeError::Unreadable("the file is incomplete (it was cut off)".into())
    );
    assert_eq!(
        refused.to_string(),
        "the video cannot be read: the file is incomplete (it was cut off)"
    );
    let failed = transcode(&cut, &output, &poster, &quick()).expect_err("cut file");
    assert!(failed.is_permanent(), "{failed}");
    assert!(!output.exists() && !poster.exists());
}

fn data_streams(path: &std::path::Path) -> usize {
    let input = ffmpeg_next::format::input(path).expect("opens");
    input
        .streams()
        .filter(|stream| stream.parameters().medium() == ffmpeg_next::media::Type::Data)
        .count()
}
