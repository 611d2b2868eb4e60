use ffmpeg_next::{Rational, filter, util::frame};

use super::{TranscodeError, TranscodeSettings, filters, stage};
use crate::{OUTPUT_FPS, artwork, canvas::Yuva, output};

/// The decoded input on its way through the filter graph to the encoder.
pub(super) struct MainSegment {
    decoder: ffmpeg_next::decoder::Video,
    time_base: Rational,
    rotation: u32,
    graph: Option<filter::Graph>,
    watermark: Yuva,
    first_pts: Option<i64>,
    last_pts: Option<i64>,
    last_duration: i64,
    nominal_duration: Option<i64>,
    limit: i64,
    max_frames: u64,
    frames: u64,
    poster_frame: u64,
    poster: Option<frame::Video>,
    input_done: bool,
}

impl MainSegment {
    pub(super) fn new(
        decoder: ffmpeg_next::decoder::Video,
        time_base: Rational,
        rotation: u32,
        settings: &TranscodeSettings,
    ) -> Self {
        let seconds = settings.max_main.as_secs_f64();
        // One picture's duration at the declared rate, for a single-picture input.
        let nominal_duration = decoder
            .frame_rate()
            .filter(|rate| rate.numerator() > 0 && rate.denominator() > 0)
            .map(|rate| (f64::from(rate.invert()) / f64::from(time_base)).round() as i64);
        let limit = (seconds * f64::from(time_base.denominator())
            / f64::from(time_base.numerator().max(1)))
        .round() as i64;
        Self {
            decoder,
            time_base,
            rotation,
            graph: None,
            watermark: artwork::watermark(),
            first_pts: None,
            last_pts: None,
            last_duration: 0,
            nominal_duration,
            limit,
            max_frames: (seconds * f64::from(OUTPUT_FPS)).round() as u64,
            frames: 0,
            poster_frame: u64::from(settings.poster_frame),
            poster: None,
            input_done: false,
        }
    }

    /// Where the kept part ends, relative to the first shown picture: the window's end if
    /// the input was longer, else the end of the last picture.
    fn end_pts(&self) -> i64 {
        if self.input_done {
            return self.limit;
        }
        let first = self.first_pts.unwrap_or(0);
        self.last_pts
            .map_or(0, |last| last - first + self.last_duration.max(1))
    }

    /// The number of main frames written and the poster picture.
    pub(super) fn into_result(self) -> (u64, Option<frame::Video>) {
        (self.frames, self.poster)
    }

    pub(super) fn is_full(&self) -> bool {
        self.input_done || self.frames >= self.max_frames
    }

    pub(super) fn decode_packet(
        &mut self,
        packet: &ffmpeg_next::Packet,
        encoder: &mut output::VideoOutput,
    ) -> Result<(), TranscodeError> {
        // A damaged packet in a truncated or glitchy file loses a picture, not the video.
        if let Err(err) = self.decoder.send_packet(packet) {
            tracing::debug!(error = %err, "skipping an undecodable packet");
            return Ok(());
        }
        self.receive_pictures(encoder)
    }

    pub(super) fn finish(
        &mut self,
        encoder: &mut output::VideoOutput,
    ) -> Result<(), TranscodeError> {
        if !self.input_done && self.decoder.send_eof().is_ok() {
            self.receive_pictures(encoder)?;
        }
        let end = self.end_pts();
        if let Some(graph) = self.graph.as_mut() {
            filters::close(graph, end).map_err(stage("flushing the filters"))?;
            self.drain_filters(encoder)?;
        }
        Ok(())
    }

    fn receive_pictures(
        &mut self,
        encoder: &mut output::VideoOutput,
    ) -> Result<(), TranscodeError> {
        let mut picture = frame::Video::empty();
        while !self.input_done && self.decoder.receive_frame(&mut picture).is_ok() {
            let Some(pts) = self.presentation_time(&picture) else {
                continue;
            };
            let first = *self.first_pts.get_or_insert(pts);
            let relative = pts - first;
            if relative >= self.limit {
                self.input_done = true;
                break;
            }
            if self.graph.is_none() {
                self.graph = Some(filters::build_graph(
                    &picture,
                    self.time_base,
                    self.rotation,
                )?);
            }
            picture.set_pts(Some(relative));
            let graph = self.graph.as_mut().expect("the graph was built above");
            filters::feed(graph, &picture).map_err(stage("filtering"))?;
            self.drain_filters(encoder)?;
        }
        Ok(())
    }

    /// The picture's presentation time, strictly after the previous one; pictures that
    /// would go back in time (broken edit lists, coarse time bases) are dropped.
    fn presentation_time(&mut self, picture: &frame::Video) -> Option<i64> {
        let pts = picture
            .timestamp()
            .or(picture.pts())
            .or_else(|| self.last_pts.map(|last| last + 1))?;
        if self.last_pts.is_some_and(|last| pts <= last) {
            return None;
        }
        // The container's own duration for this picture when it has one: with a variable
        // rate the gap before a picture says little about how long it is shown.
        let stored = picture.packet().duration;
        if stored > 0 {
            self.last_duration = stored;
        } else if let Some(last) = self.last_pts {
            self.last_duration = pts - last;
        } else if let Some(duration) = self.nominal_duration {
            self.last_duration = duration;
        }
        self.last_pts = Some(pts);
        Some(pts)
    }

    fn drain_filters(&mut self, encoder: &mut output::VideoOutput) -> Result<(), TranscodeError> {
        let Some(graph) = self.graph.as_mut() else {
            return Ok(());
        };
        let mut filtered = frame::Video::empty();
        loop {
            let mut output = graph.get("out").expect("the sink is part of the graph");
            if output.sink().frame(&mut filtered).is_err() {
                break;
            }
            if self.frames >= self.max_frames {
                continue;
            }
            // Filters may share their buffers; blend on a picture of our own.
            let mut picture = filtered.clone();
            // Source keyframe marks would otherwise force keyframes on libx264 and bloat the file.
            picture.set_kind(ffmpeg_next::picture::Type::None);
            let (x, y, _, _) = artwork::WATERMARK_RECT;
            self.watermark
                .blend_onto(&mut picture, x as usize, y as usize);
            if self.frames <= self.poster_frame {
                self.poster = Some(picture.clone());
            }
            encoder.push(&mut picture).map_err(stage("encoding"))?;
            self.frames += 1;
        }
        Ok(())
    }
}
