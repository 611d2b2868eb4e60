//! The product's pipeline on one file, for the side-by-side benchmark
//! (`scripts/bench-transcode`). Usage:
//!
//! ```text
//! transcode INPUT OUTPUT POSTER [PRESET CRF]   one transcode, the report on stdout
//! transcode --export-artwork FOLDER            bumper.png and watermark.png for the CLI
//! ```

use std::path::Path;

use anb_media::TranscodeSettings;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, folder] if flag == "--export-artwork" => {
            anb_media::fixtures::export_artwork(Path::new(folder))
        }
        [input, output, poster, rest @ ..] => {
            let mut settings = TranscodeSettings::default();
            if let [preset, crf] = rest {
                settings.preset.clone_from(preset);
                settings.crf = crf.parse()?;
            }
            let report = anb_media::transcode(
                Path::new(input),
                Path::new(output),
                Path::new(poster),
                &settings,
            )?;
            println!(
                "preset={} crf={} frames={}+{}+{} bytes={}",
                settings.preset,
                settings.crf,
                report.intro_frames,
                report.main_frames,
                report.outro_frames,
                report.output_bytes
            );
            Ok(())
        }
        _ => Err("usage: transcode INPUT OUTPUT POSTER [PRESET CRF] | --export-artwork DIR".into()),
    }
}
