//! Colour: HDR sources tone-mapped to BT.709, and the watermark's transparency.

use std::time::Duration;

use anb_media::{
    BUMPER_BACKGROUND, OUTPUT_FPS, WATERMARK_RECT, WATERMARK_SHADOW_POINT,
    fixtures::{
        FIXTURE_BACKGROUND, HDR_LINEAR_COLOUR, MediaSpec, Timing, decode_frame_rgb, summarise_video,
    },
    probe,
};

use super::{BLACK, Rgb, main_frames, main_picture, quick, run};

#[test]
fn an_hdr_pq_source_is_tone_mapped_into_8_bit_bt709() {
    let mut spec = MediaSpec::new(320, 240, 30);
    spec.hdr = true;
    let outcome = run(&spec, &quick());

    let input = summarise_video(&outcome.input).expect("input decodes");
    assert_eq!(input.pixel_format, "yuv420p10le");
    assert_eq!(input.colour_tags, ["bt2020", "smpte2084", "bt2020nc"]);
    let output = summarise_video(&outcome.output).expect("output decodes");
    assert_eq!(output.pixel_format, "yuv420p");
    assert_eq!(output.colour_tags, ["bt709", "bt709", "bt709"]);
    assert_eq!(main_frames(&outcome.report), 30);

    // PQ codes light as the display emits it. 25 %, 5 % and 2 % of SDR white must come out
    // of an SDR display (BT.1886, gamma 2.4) as the same light: codes 0.25^(1/2.4) and so
    // on, (143, 73, 50). Re-tagging the PQ samples without converting them would show
    // (89, 69, 53); reading them with the BT.709 matrix would tint them.
    assert_eq!(HDR_LINEAR_COLOUR, [0.25, 0.05, 0.02]);
    let pixel = main_picture(&outcome).pixel(640, 360);
    assert!(pixel.is_close_to(Rgb(143, 73, 50), 6), "{pixel:?}");
}

#[test]
fn the_watermark_shadow_darkens_the_video_and_its_transparent_corner_leaves_it_alone() {
    // 16:9, so the picture reaches under the watermark.
    let outcome = run(&MediaSpec::new(320, 180, 30), &quick());
    let frame = main_picture(&outcome);

    // 35 % black over (40, 90, 160) leaves 65 % of it.
    let shadow = frame.pixel(WATERMARK_SHADOW_POINT.0, WATERMARK_SHADOW_POINT.1);
    assert!(shadow.is_close_to(Rgb(26, 59, 104), 8), "{shadow:?}");
    assert!(!shadow.is_close_to(FIXTURE_BACKGROUND, 8), "{shadow:?}");
    assert!(!shadow.is_close_to(BLACK, 20), "{shadow:?}");
    let (x, y, _, _) = WATERMARK_RECT;
    let corner = frame.pixel(x + 2, y + 2);
    assert!(corner.is_close_to(FIXTURE_BACKGROUND, 6), "{corner:?}");
}

#[test]
fn bumpers_and_picture_come_out_720p_30_fps_limited_range_whatever_the_source() {
    // 640x480 in 4:3 pixels at 25 fps in full range: another size, pixel shape, rate and
    // range than the bumpers'. The pixels are rescaled twice, and the range must be
    // converted once.
    let mut spec = MediaSpec::new(640, 480, 50);
    spec.timing = Timing::Constant(25, 1);
    spec.sample_aspect = (4, 3);
    spec.full_range = true;
    let outcome = run(&spec, &quick());

    assert_eq!(
        summarise_video(&outcome.input).expect("input").colour_range,
        "pc"
    );
    let summary = summarise_video(&outcome.output).expect("output decodes");
    assert_eq!(summary.colour_range, "tv");
    assert_eq!(summary.timestamps.len(), 180);
    let out = probe(&outcome.output).expect("output probes");
    assert_eq!((out.width, out.height), (1280, 720));
    assert_eq!(out.frame_rate, Some(f64::from(OUTPUT_FPS)));
    assert_eq!(main_frames(&outcome.report), 60);
    for at in [Duration::from_millis(100), Duration::from_millis(5900)] {
        let bumper = decode_frame_rgb(&outcome.output, at).expect("bumper frame");
        let navy = bumper.pixel(20, 20);
        assert!(navy.is_close_to(BUMPER_BACKGROUND, 6), "{at:?}: {navy:?}");
    }
    // Read as limited range, full-range samples would show in stronger contrast.
    let picture = main_picture(&outcome).pixel(640, 360);
    assert!(picture.is_close_to(FIXTURE_BACKGROUND, 6), "{picture:?}");
}
