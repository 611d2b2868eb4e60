use std::{path::Path, time::Duration};

use anb_media::{
    BUMPER_BACKGROUND, OUTPUT_FPS, Rgb, TranscodeSettings, WATERMARK_PROBE_COLOUR,
    WATERMARK_PROBE_POINT,
    fixtures::{ClipSpec, FIXTURE_BACKGROUND, decode_frame_rgb, moov_before_mdat, write_clip},
    probe, transcode,
};

struct Outcome {
    _folder: tempfile::TempDir,
    output: std::path::PathBuf,
    poster: std::path::PathBuf,
    report: anb_media::TranscodeReport,
}

fn transcode_clip(spec: &ClipSpec, settings: &TranscodeSettings) -> Outcome {
    let folder = tempfile::tempdir().expect("temp dir");
    let input = folder.path().join("input.mp4");
    write_clip(&input, spec).expect("clip");
    let (output, poster) = (
        folder.path().join("out.mp4"),
        folder.path().join("poster.jpg"),
    );
    let report = transcode(&input, &output, &poster, settings).expect("transcode");
    Outcome {
        _folder: folder,
        output: output.clone(),
        poster: poster.clone(),
        report,
    }
}

/// Longer than the kept window, in a smaller size so the test stays quick.
fn short_window() -> TranscodeSettings {
    TranscodeSettings {
        max_main: Duration::from_secs(4),
        preset: "ultrafast".into(),
        ..TranscodeSettings::default()
    }
}

#[test]
fn a_4_3_clip_with_sound_becomes_silent_720p_with_bumpers_watermark_and_pillarbox() {
    let spec = ClipSpec {
        width: 640,
        height: 480,
        seconds: 6.0,
        fps: 25,
        with_audio: true,
    };
    let outcome = transcode_clip(&spec, &short_window());

    let info = probe(&outcome.output).expect("output probes");
    assert_eq!((info.width, info.height), (1280, 720));
    assert_eq!(info.video_codec, "h264");
    assert_eq!(info.pixel_format, "yuv420p");
    assert!(!info.has_audio);
    assert_eq!(info.stream_count, 1);
    assert_eq!(info.frame_rate, Some(f64::from(OUTPUT_FPS)));
    assert_eq!(
        (
            outcome.report.intro_frames,
            outcome.report.main_frames,
            outcome.report.outro_frames
        ),
        (60, 120, 60)
    );
    assert_eq!(info.frame_count, 240);
    assert!(
        (info.duration.as_secs_f64() - 8.0).abs() < 0.05,
        "{:?}",
        info.duration
    );
    assert!(moov_before_mdat(&outcome.output).expect("boxes"));

    let main = decode_frame_rgb(&outcome.output, Duration::from_secs(3)).expect("main frame");
    let (x, y) = WATERMARK_PROBE_POINT;
    assert!(
        main.pixel(x, y).is_close_to(WATERMARK_PROBE_COLOUR, 30),
        "{:?}",
        main.pixel(x, y)
    );
    assert!(
        main.pixel(40, 360).is_close_to(Rgb(0, 0, 0), 20),
        "left bar {:?}",
        main.pixel(40, 360)
    );
    assert!(
        main.pixel(1240, 100).is_close_to(Rgb(0, 0, 0), 20),
        "right bar {:?}",
        main.pixel(1240, 100)
    );
    assert!(
        main.pixel(640, 100).is_close_to(FIXTURE_BACKGROUND, 20),
        "picture {:?}",
        main.pixel(640, 100)
    );

    for at in [Duration::from_millis(100), Duration::from_millis(7900)] {
        let bumper = decode_frame_rgb(&outcome.output, at).expect("bumper frame");
        assert!(
            bumper.pixel(20, 20).is_close_to(BUMPER_BACKGROUND, 16),
            "{at:?}: {:?}",
            bumper.pixel(20, 20)
        );
    }

    let poster = decode_frame_rgb(&outcome.poster, Duration::ZERO).expect("poster");
    assert_eq!((poster.width, poster.height), (1280, 720));
    assert!(poster.pixel(x, y).is_close_to(WATERMARK_PROBE_COLOUR, 30));
}

#[test]
fn a_portrait_clip_is_centred_between_side_bars_and_keeps_its_whole_length() {
    let spec = ClipSpec {
        width: 360,
        height: 640,
        seconds: 2.0,
        fps: 30,
        with_audio: false,
    };
    let outcome = transcode_clip(&spec, &short_window());

    assert_eq!(outcome.report.main_frames, 60);
    let main = decode_frame_rgb(&outcome.output, Duration::from_millis(2500)).expect("main frame");
    // 360x640 scaled to height 720 is 404 wide, centred: columns 438..842.
    assert!(
        main.pixel(430, 200).is_close_to(Rgb(0, 0, 0), 20),
        "{:?}",
        main.pixel(430, 200)
    );
    assert!(
        main.pixel(450, 200).is_close_to(FIXTURE_BACKGROUND, 20),
        "{:?}",
        main.pixel(450, 200)
    );
    assert!(
        main.pixel(850, 200).is_close_to(Rgb(0, 0, 0), 20),
        "{:?}",
        main.pixel(850, 200)
    );
}

#[test]
fn a_clip_shorter_than_a_second_still_yields_every_picture() {
    let spec = ClipSpec {
        width: 320,
        height: 240,
        seconds: 0.2,
        fps: 30,
        with_audio: false,
    };
    let outcome = transcode_clip(&spec, &short_window());

    assert_eq!(outcome.report.main_frames, 6);
    assert_eq!(probe(&outcome.output).expect("output").frame_count, 126);
}

#[test]
fn garbage_input_fails_as_the_inputs_fault_and_leaves_no_files() {
    let folder = tempfile::tempdir().expect("temp dir");
    let input = folder.path().join("input.mp4");
    std::fs::write(&input, b"\0\0\0\x18ftypisom garbage that is no video").expect("write");
    let (output, poster) = (
        folder.path().join("out.mp4"),
        folder.path().join("poster.jpg"),
    );

    let err = transcode(&input, &output, &poster, &TranscodeSettings::default())
        .expect_err("garbage fails");

    assert!(err.is_permanent(), "{err}");
    assert_eq!(
        std::fs::read_dir(folder.path()).expect("dir").count(),
        1,
        "only the input remains"
    );
    assert!(!Path::new(&output).exists());
}

/// Browsers start decoding at the keyframe before a seek target, and Chromium cannot start
/// at an open GOP's recovery point: every keyframe must be an IDR picture.
#[test]
fn every_keyframe_is_an_idr_picture_so_players_can_seek() {
    let spec = ClipSpec {
        width: 640,
        height: 480,
        seconds: 4.0,
        fps: 30,
        with_audio: false,
    };
    // A preset with scene-cut detection, so the cut from bumper to clip starts a GOP. The
    // default ultrafast has none: its keyframes come every 250 frames (x264's keyint).
    let settings = TranscodeSettings {
        preset: "veryfast".into(),
        ..short_window()
    };
    let outcome = transcode_clip(&spec, &settings);

    let keyframes = keyframe_nal_types(&outcome.output);

    assert!(
        keyframes.len() >= 2,
        "the cut from bumper to clip starts a new GOP: {keyframes:?}"
    );
    assert!(
        keyframes.iter().all(|types| types.contains(&IDR_NAL_TYPE)),
        "{keyframes:?}"
    );
}

const IDR_NAL_TYPE: u8 = 5;

/// NAL unit types of each keyframe packet; MP4 stores units with 4-byte length prefixes.
fn keyframe_nal_types(path: &Path) -> Vec<Vec<u8>> {
    let mut input = ffmpeg_next::format::input(path).expect("output opens");
    input
        .packets()
        .filter(|(_, packet)| packet.is_key())
        .map(|(_, packet)| {
            let mut data = packet.data().unwrap_or_default();
            let mut types = Vec::new();
            while data.len() > 4 {
                let length = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
                types.push(data[4] & 0x1f);
                let next = usize::try_from(length).map_or(data.len(), |n| (n + 4).min(data.len()));
                data = &data[next..];
            }
            types
        })
        .collect()
}
