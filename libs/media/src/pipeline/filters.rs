use ffmpeg_next::{Rational, filter, format::Pixel, util::frame};

use super::{TranscodeError, colour::SourceColour, stage};
use crate::{OUTPUT_FPS, OUTPUT_HEIGHT, OUTPUT_WIDTH, artwork::WATERMARK_RECT};

/// Feeds `picture` to the graph's source.
pub(super) fn feed(
    graph: &mut filter::Graph,
    picture: &frame::Video,
) -> Result<(), ffmpeg_next::Error> {
    graph
        .get("in")
        .expect("the source is part of the graph")
        .source()
        .add(picture)
}

/// Ends the input at `end_pts`, so the fps filter fills the last picture's whole duration
/// (a 4 s window at 25 fps gives 120 output frames, not 119).
pub(super) fn close(graph: &mut filter::Graph, end_pts: i64) -> Result<(), ffmpeg_next::Error> {
    graph
        .get("in")
        .expect("the source is part of the graph")
        .source()
        .close(end_pts)
}

/// Builds `buffer → filters → overlay (watermark) → buffersink` for pictures like `first`.
/// The overlay draws on the fitted picture in place, where blending outside the graph had
/// to copy every picture first (the graph may hand out the decoder's own buffers).
pub(super) fn build_graph(
    first: &frame::Video,
    time_base: Rational,
    rotation: u32,
    watermark: &frame::Video,
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
    let watermark_args = format!(
        "video_size={}x{}:pix_fmt=yuva420p:time_base=1/{OUTPUT_FPS}:pixel_aspect=1/1",
        watermark.width(),
        watermark.height()
    );
    graph
        .add(&buffer, "watermark", &watermark_args)
        .map_err(stage("configuring the filters"))?;
    graph
        .add(&sink, "out", "")
        .map_err(stage("configuring the filters"))?;
    graph
        .get("out")
        .expect("just added")
        .set_pixel_format(Pixel::YUV420P);

    let (x, y, _, _) = WATERMARK_RECT;
    let spec = format!(
        "[in]{}[fitted];[fitted][watermark]overlay=x={x}:y={y}:format=yuv420:eof_action=repeat[out]",
        filter_spec(
            rotation,
            first.is_interlaced(),
            (sar_num, sar_den),
            SourceColour::of(first),
        )
    );
    graph
        .output("in", 0)
        .and_then(|parser| parser.output("watermark", 0))
        .and_then(|parser| parser.input("out", 0))
        .and_then(|parser| parser.parse(&spec))
        .map_err(stage("configuring the filters"))?;
    graph.validate().map_err(stage("configuring the filters"))?;
    // One watermark picture for the whole video: after its end the overlay keeps showing it.
    let mut source = graph
        .get("watermark")
        .expect("the watermark source is part of the graph");
    let mut source = source.source();
    // Adding a picture takes its buffers from the frame, so the graph gets a copy.
    source
        .add(&watermark.clone())
        .and_then(|()| source.close(0))
        .map_err(stage("configuring the filters"))?;
    Ok(graph)
}

/// The filter chain: upright, progressive, square pixels, fitted into 1280x720 with black
/// bars, constant 30 fps, 8-bit 4:2:0 in BT.709.
fn filter_spec(
    rotation: u32,
    interlaced: bool,
    (sar_num, sar_den): (i32, i32),
    colour: SourceColour,
) -> String {
    let mut chain = Vec::new();
    if interlaced {
        chain.push("yadif=mode=send_frame:parity=auto:deint=interlaced".to_owned());
    }
    // Rate conversion first, so a 60 fps input is not scaled at full rate only to drop half.
    chain.push(format!("fps={OUTPUT_FPS}"));
    chain.extend(colour.tone_mapping());
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
        "scale=w={OUTPUT_WIDTH}:h={OUTPUT_HEIGHT}:force_original_aspect_ratio=decrease:\
         force_divisible_by=2:in_color_matrix={}:out_color_matrix=bt709:out_range=tv",
        colour.scale_matrix()
    ));
    chain.push(format!(
        "pad=w={OUTPUT_WIDTH}:h={OUTPUT_HEIGHT}:x=(ow-iw)/2:y=(oh-ih)/2:color=black"
    ));
    chain.push("setsar=1".to_owned());
    chain.push("format=yuv420p".to_owned());
    chain.join(",")
}

#[cfg(test)]
mod tests {
    use super::{SourceColour, filter_spec};

    #[test]
    fn the_filter_chain_turns_rotated_anamorphic_interlaced_input_upright_and_square() {
        let spec = filter_spec(90, true, (4, 3), SourceColour::Sdr("bt601"));

        assert!(spec.starts_with(
            "yadif=mode=send_frame:parity=auto:deint=interlaced,fps=30,transpose=clock,"
        ));
        assert!(spec.contains("scale=w=trunc(iw*4/3/2)*2:h=ih,"));
        assert!(spec.ends_with("setsar=1,format=yuv420p"));
        assert!(spec.contains(":in_color_matrix=bt601:out_color_matrix=bt709:out_range=tv,"));
        assert!(!filter_spec(0, false, (1, 1), SourceColour::Sdr("bt709")).contains("transpose"));
    }
}
