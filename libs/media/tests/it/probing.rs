use std::time::Duration;

use anb_media::{
    ProbeError,
    fixtures::{ClipSpec, write_clip},
    probe,
};

#[test]
fn a_generated_clip_reports_its_size_length_codec_and_audio() {
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("clip.mp4");
    write_clip(
        &path,
        &ClipSpec {
            width: 640,
            height: 360,
            seconds: 3.0,
            fps: 25,
            with_audio: true,
        },
    )
    .expect("clip");

    let info = probe(&path).expect("probe");

    assert_eq!((info.width, info.height, info.rotation), (640, 360, 0));
    assert_eq!(info.video_codec, "h264");
    assert_eq!(info.pixel_format, "yuv420p");
    assert!(info.has_audio);
    assert_eq!(info.stream_count, 2);
    assert_eq!(info.frame_count, 75);
    assert!(
        (info.duration.as_secs_f64() - 3.0).abs() < 0.1,
        "{:?}",
        info.duration
    );
    assert_eq!(info.frame_rate, Some(25.0));
}

#[test]
fn text_garbage_and_truncated_files_are_refused_with_a_reason() {
    let folder = tempfile::tempdir().expect("temp dir");
    let text = folder.path().join("notes.mp4");
    std::fs::write(&text, "this is not a video at all").expect("write");
    let empty = folder.path().join("empty.mp4");
    std::fs::write(&empty, b"").expect("write");
    let fake = folder.path().join("fake.mp4");
    std::fs::write(&fake, b"\0\0\0\x18ftypisom\0\0\0\0isomgarbagegarbage").expect("write");
    let clip = folder.path().join("clip.mp4");
    write_clip(
        &clip,
        &ClipSpec {
            width: 320,
            height: 240,
            seconds: 2.0,
            fps: 25,
            with_audio: false,
        },
    )
    .expect("clip");
    let bytes = std::fs::read(&clip).expect("read");
    let truncated = folder.path().join("truncated.mp4");
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).expect("write");

    assert_eq!(probe(&text), Err(ProbeError::NotMp4));
    assert_eq!(probe(&empty), Err(ProbeError::NotMp4));
    assert!(
        matches!(probe(&fake), Err(ProbeError::Unreadable(_))),
        "{:?}",
        probe(&fake)
    );
    assert!(
        matches!(probe(&truncated), Err(ProbeError::Unreadable(_))),
        "{:?}",
        probe(&truncated)
    );
    assert_eq!(
        ProbeError::NotMp4.to_string(),
        "the file is not an MP4 video"
    );
    let _ = Duration::ZERO;
}

#[test]
fn a_faststart_file_cut_short_is_refused_even_though_its_first_pictures_decode() {
    let folder = tempfile::tempdir().expect("temp dir");
    let clip = folder.path().join("clip.mp4");
    write_clip(
        &clip,
        &ClipSpec {
            width: 320,
            height: 240,
            seconds: 3.0,
            fps: 25,
            with_audio: false,
        },
    )
    .expect("clip");
    let output = folder.path().join("faststart.mp4");
    let poster = folder.path().join("poster.jpg");
    anb_media::transcode(
        &clip,
        &output,
        &poster,
        &anb_media::TranscodeSettings::default(),
    )
    .expect("transcode");
    assert!(anb_media::fixtures::moov_before_mdat(&output).expect("boxes"));
    let bytes = std::fs::read(&output).expect("read");
    let cut = folder.path().join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).expect("write");

    assert!(probe(&output).is_ok());
    assert_eq!(
        probe(&cut),
        Err(ProbeError::Unreadable(
            "the file is incomplete (it was cut off)".into()
        ))
    );
}
