//! One-picture conversions through a small filter graph: the Rust bindings of FFmpeg's
//! scaler cannot be told which colour matrix or range to convert between, the `scale`
//! filter can.

use ffmpeg_next::{filter, format::Pixel, util::frame};

/// Runs `picture` through `chain` (filters in FFmpeg's graph syntax) and returns the
/// picture that comes out in `format`.
pub(crate) fn convert_picture(
    picture: &frame::Video,
    chain: &str,
    format: Pixel,
) -> Result<frame::Video, ffmpeg_next::Error> {
    let pixel_format = picture
        .format()
        .descriptor()
        .ok_or(ffmpeg_next::Error::InvalidData)?
        .name();
    let args = format!(
        "video_size={}x{}:pix_fmt={pixel_format}:time_base=1/30:pixel_aspect=1/1",
        picture.width(),
        picture.height(),
    );
    let mut graph = filter::Graph::new();
    let buffer = filter::find("buffer").ok_or(ffmpeg_next::Error::FilterNotFound)?;
    let sink = filter::find("buffersink").ok_or(ffmpeg_next::Error::FilterNotFound)?;
    graph.add(&buffer, "in", &args)?;
    graph.add(&sink, "out", "")?;
    graph
        .get("out")
        .expect("just added")
        .set_pixel_format(format);
    graph.output("in", 0)?.input("out", 0)?.parse(chain)?;
    graph.validate()?;

    let mut source = graph.get("in").expect("just added");
    let mut own = picture.clone();
    own.set_pts(Some(0));
    source.source().add(&own)?;
    source.source().flush()?;
    let mut converted = frame::Video::empty();
    graph
        .get("out")
        .expect("just added")
        .sink()
        .frame(&mut converted)?;
    Ok(converted)
}
