//! The filtering half of the main segment: decoded pictures through the filter graph (which
//! also lays the watermark on) to the encoder, up to the window's length in output frames.

use ffmpeg_next::{Rational, filter, util::frame};

use super::{TranscodeError, TranscodeSettings, filters, stage};
use crate::{OUTPUT_FPS, artwork, output};

/// Decoded pictures on their way through the filter graph to the encoder.
pub(super) struct MainSegment {
    time_base: Rational,
    rotation: u32,
    graph: Option<filter::Graph>,
    watermark: frame::Video,
    max_frames: u64,
    frames: u64,
    poster_frame: u64,
    poster: Option<frame::Video>,
}

impl MainSegment {
    pub(super) fn new(time_base: Rational, rotation: u32, settings: &TranscodeSettings) -> Self {
        Self {
            time_base,
            rotation,
            graph: None,
            watermark: artwork::watermark().to_frame(),
            max_frames: (settings.max_main.as_secs_f64() * f64::from(OUTPUT_FPS)).round() as u64,
            frames: 0,
            poster_frame: u64::from(settings.poster_frame),
            poster: None,
        }
    }

    /// The number of main frames written and the poster picture.
    pub(super) fn into_result(self) -> (u64, Option<frame::Video>) {
        (self.frames, self.poster)
    }

    pub(super) fn is_full(&self) -> bool {
        self.frames >= self.max_frames
    }

    /// Filters and encodes `picture`, whose timestamp counts from the first shown picture.
    pub(super) fn push(
        &mut self,
        picture: frame::Video,
        encoder: &mut output::VideoOutput,
    ) -> Result<(), TranscodeError> {
        if self.graph.is_none() {
            self.graph = Some(filters::build_graph(
                &picture,
                self.time_base,
                self.rotation,
                &self.watermark,
            )?);
        }
        let graph = self.graph.as_mut().expect("the graph was built above");
        filters::feed(graph, &picture).map_err(stage("filtering"))?;
        self.drain_filters(encoder)
    }

    /// Ends the input at `end_pts` and encodes what the filters still hold.
    pub(super) fn finish(
        &mut self,
        end_pts: i64,
        encoder: &mut output::VideoOutput,
    ) -> Result<(), TranscodeError> {
        if let Some(graph) = self.graph.as_mut() {
            filters::close(graph, end_pts).map_err(stage("flushing the filters"))?;
            self.drain_filters(encoder)?;
        }
        Ok(())
    }

    fn drain_filters(&mut self, encoder: &mut output::VideoOutput) -> Result<(), TranscodeError> {
        let Some(graph) = self.graph.as_mut() else {
            return Ok(());
        };
        let mut picture = frame::Video::empty();
        loop {
            let mut output = graph.get("out").expect("the sink is part of the graph");
            if output.sink().frame(&mut picture).is_err() {
                break;
            }
            if self.frames >= self.max_frames {
                continue;
            }
            // Source keyframe marks would otherwise force keyframes on libx264 and bloat the file.
            picture.set_kind(ffmpeg_next::picture::Type::None);
            if self.frames <= self.poster_frame {
                self.poster = Some(picture.clone());
            }
            encoder.push(&mut picture).map_err(stage("encoding"))?;
            self.frames += 1;
        }
        Ok(())
    }
}
