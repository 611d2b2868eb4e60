//! Small pictures painted in RGBA and blended onto decoded YUV 4:2:0 frames. Colours are
//! converted with BT.709 limited-range coefficients, the colour space every output is
//! converted to and tagged with, so players show the artwork in its own colours.

use ffmpeg_next::frame;

use crate::artwork::Rgb;

/// A straight-alpha RGBA picture.
pub(crate) struct RgbaImage {
    width: u32,
    height: u32,
    pixels: Vec<[u8; 4]>,
}

impl RgbaImage {
    pub(crate) fn transparent(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            pixels: vec![[0; 4]; (width * height) as usize],
        }
    }

    /// Width, height and the straight-alpha pixels row by row.
    #[cfg(feature = "fixtures")]
    pub(crate) fn parts(&self) -> (u32, u32, &[[u8; 4]]) {
        (self.width, self.height, &self.pixels)
    }

    #[cfg(test)]
    pub(crate) fn pixel(&self, x: u32, y: u32) -> (Rgb, u8) {
        let [r, g, b, a] = self.pixels[(y * self.width + x) as usize];
        (Rgb(r, g, b), a)
    }

    /// Porter-Duff "over" of one pixel with coverage `alpha` (0.0–1.0).
    fn blend(&mut self, x: u32, y: u32, colour: Rgb, alpha: f32) {
        if x >= self.width || y >= self.height || alpha <= 0.0 {
            return;
        }
        let pixel = &mut self.pixels[(y * self.width + x) as usize];
        let below = f32::from(pixel[3]) / 255.0;
        let out = alpha + below * (1.0 - alpha);
        let mix = |top: u8, bottom: u8| {
            let value = (f32::from(top) * alpha + f32::from(bottom) * below * (1.0 - alpha)) / out;
            value.round().clamp(0.0, 255.0) as u8
        };
        *pixel = [
            mix(colour.0, pixel[0]),
            mix(colour.1, pixel[1]),
            mix(colour.2, pixel[2]),
            (out * 255.0).round() as u8,
        ];
    }

    pub(crate) fn fill_rect(
        &mut self,
        x: u32,
        y: u32,
        width: u32,
        height: u32,
        colour: Rgb,
        alpha: u8,
    ) {
        for py in y..(y + height).min(self.height) {
            for px in x..(x + width).min(self.width) {
                self.blend(px, py, colour, f32::from(alpha) / 255.0);
            }
        }
    }

    /// A disc with anti-aliased edges, at `opacity`.
    pub(crate) fn paint_disc(&mut self, cx: f32, cy: f32, radius: f32, colour: Rgb, opacity: f32) {
        for py in 0..self.height {
            for px in 0..self.width {
                let coverage = disc_coverage(px, py, (cx, cy, radius));
                self.blend(px, py, colour, coverage * opacity);
            }
        }
    }

    /// A horizontal band, only where it lies on the disc `(cx, cy, radius)`.
    pub(crate) fn paint_band_in_disc(
        &mut self,
        top: u32,
        height: u32,
        colour: Rgb,
        alpha: u8,
        disc: (f32, f32, f32),
    ) {
        for py in top..(top + height).min(self.height) {
            for px in 0..self.width {
                let coverage = disc_coverage(px, py, disc);
                self.blend(px, py, colour, coverage * f32::from(alpha) / 255.0);
            }
        }
    }

    /// Composites `other` over this picture with its top-left corner at (x, y).
    pub(crate) fn draw(&mut self, other: &RgbaImage, x: u32, y: u32) {
        for oy in 0..other.height {
            for ox in 0..other.width {
                let [r, g, b, a] = other.pixels[(oy * other.width + ox) as usize];
                self.blend(x + ox, y + oy, Rgb(r, g, b), f32::from(a) / 255.0);
            }
        }
    }
}

fn disc_coverage(px: u32, py: u32, (cx, cy, radius): (f32, f32, f32)) -> f32 {
    let (dx, dy) = (px as f32 + 0.5 - cx, py as f32 + 0.5 - cy);
    (radius - (dx * dx + dy * dy).sqrt() + 0.5).clamp(0.0, 1.0)
}

/// Y'CbCr of a gamma-coded colour in BT.709, limited range, on the 8-bit scale.
pub(crate) fn to_yuv(Rgb(r, g, b): Rgb) -> [f32; 3] {
    let (r, g, b) = (f32::from(r), f32::from(g), f32::from(b));
    [
        16.0 + (46.559 * r + 156.629 * g + 15.812 * b) / 255.0,
        128.0 + (-25.664 * r - 86.336 * g + 112.0 * b) / 255.0,
        128.0 + (112.0 * r - 101.730 * g - 10.270 * b) / 255.0,
    ]
}

/// A picture in YUV 4:2:0 planes with alpha at both resolutions, ready to blend.
pub(crate) struct Yuva {
    width: usize,
    height: usize,
    luma: Vec<u8>,
    luma_alpha: Vec<u8>,
    chroma: Vec<[u8; 2]>,
    chroma_alpha: Vec<u8>,
}

impl Yuva {
    pub(crate) fn from_rgba(image: &RgbaImage) -> Self {
        let (width, height) = (image.width as usize, image.height as usize);
        let mut luma = Vec::with_capacity(width * height);
        let mut luma_alpha = Vec::with_capacity(width * height);
        for [r, g, b, a] in &image.pixels {
            luma.push(to_yuv(Rgb(*r, *g, *b))[0].round() as u8);
            luma_alpha.push(*a);
        }

        let (cw, ch) = (width / 2, height / 2);
        let mut chroma = Vec::with_capacity(cw * ch);
        let mut chroma_alpha = Vec::with_capacity(cw * ch);
        for cy in 0..ch {
            for cx in 0..cw {
                let (mut sum, mut weight) = ([0.0f32; 2], 0.0f32);
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let [r, g, b, a] = image.pixels[(cy * 2 + dy) * width + cx * 2 + dx];
                    let yuv = to_yuv(Rgb(r, g, b));
                    let a = f32::from(a);
                    sum[0] += yuv[1] * a;
                    sum[1] += yuv[2] * a;
                    weight += a;
                }
                let average = |total: f32| {
                    if weight > 0.0 {
                        (total / weight).round() as u8
                    } else {
                        128
                    }
                };
                chroma.push([average(sum[0]), average(sum[1])]);
                chroma_alpha.push((weight / 4.0).round() as u8);
            }
        }
        Self {
            width,
            height,
            luma,
            luma_alpha,
            chroma,
            chroma_alpha,
        }
    }

    /// This picture as a YUVA420P frame, for the filter graph's overlay. Its chroma is
    /// already weighted by alpha, so transparent pixels' colours do not bleed into the edge.
    pub(crate) fn to_frame(&self) -> frame::Video {
        let mut picture = frame::Video::new(
            ffmpeg_next::format::Pixel::YUVA420P,
            self.width as u32,
            self.height as u32,
        );
        copy_rows(&mut picture, 0, &self.luma, self.width);
        let chroma_width = self.width / 2;
        for (plane, component) in [(1, 0), (2, 1)] {
            let samples: Vec<u8> = self.chroma.iter().map(|pair| pair[component]).collect();
            copy_rows(&mut picture, plane, &samples, chroma_width);
        }
        copy_rows(&mut picture, 3, &self.luma_alpha, self.width);
        // Before any main picture, so the overlay lays it on from the first one.
        picture.set_pts(Some(0));
        picture
    }

    /// Blends this picture onto a YUV420P `frame` at (x, y); both must be even.
    pub(crate) fn blend_onto(&self, frame: &mut frame::Video, x: usize, y: usize) {
        let stride = frame.stride(0);
        let plane = frame.data_mut(0);
        for row in 0..self.height {
            let line = &mut plane[(y + row) * stride + x..][..self.width];
            let source = &self.luma[row * self.width..][..self.width];
            let alpha = &self.luma_alpha[row * self.width..][..self.width];
            mix_row(line, source.iter().copied(), alpha);
        }
        let (cw, ch) = (self.width / 2, self.height / 2);
        for (component, index) in [(0usize, 1usize), (1, 2)] {
            let stride = frame.stride(index);
            let plane = frame.data_mut(index);
            for row in 0..ch {
                let line = &mut plane[(y / 2 + row) * stride + x / 2..][..cw];
                let source = self.chroma[row * cw..][..cw]
                    .iter()
                    .map(|pair| pair[component]);
                mix_row(line, source, &self.chroma_alpha[row * cw..][..cw]);
            }
        }
    }
}

/// Copies `samples`, `width` per row, into `plane` of `picture`, whose rows may be padded.
fn copy_rows(picture: &mut frame::Video, plane: usize, samples: &[u8], width: usize) {
    let stride = picture.stride(plane);
    let data = picture.data_mut(plane);
    for (row, line) in samples.chunks_exact(width).enumerate() {
        data[row * stride..][..width].copy_from_slice(line);
    }
}

fn mix_row(line: &mut [u8], source: impl Iterator<Item = u8>, alpha: &[u8]) {
    for ((out, top), a) in line.iter_mut().zip(source).zip(alpha) {
        let a = u16::from(*a);
        *out = ((u16::from(top) * a + u16::from(*out) * (255 - a) + 127) / 255) as u8;
    }
}
