//! The ANB artwork, drawn in code so the repository carries no binary assets: an orange
//! basketball disc with "ANB" in block letters and a soft translucent shadow (the watermark),
//! and the bumper card (the logo large on ANB navy with "RISING STARS" beneath).

use crate::canvas::{RgbaImage, Yuva};

/// An 8-bit RGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// Whether every channel differs from `other` by at most `tolerance` (lossy coding and
    /// YUV rounding move colours a little).
    pub fn is_close_to(self, other: Rgb, tolerance: u8) -> bool {
        let near = |a: u8, b: u8| a.abs_diff(b) <= tolerance;
        near(self.0, other.0) && near(self.1, other.1) && near(self.2, other.2)
    }
}

/// ANB navy, the bumper background.
pub const BUMPER_BACKGROUND: Rgb = Rgb(12, 30, 66);
const ORANGE: Rgb = Rgb(242, 110, 34);
const SEAM: Rgb = Rgb(70, 30, 12);
const WHITE: Rgb = Rgb(255, 255, 255);

const WATERMARK_SIZE: u32 = 128;
const WATERMARK_MARGIN: u32 = 24;

/// Where the watermark sits in every main-segment frame: x, y, width, height.
pub const WATERMARK_RECT: (u32, u32, u32, u32) = (
    crate::OUTPUT_WIDTH - WATERMARK_MARGIN - WATERMARK_SIZE,
    crate::OUTPUT_HEIGHT - WATERMARK_MARGIN - WATERMARK_SIZE,
    WATERMARK_SIZE,
    WATERMARK_SIZE,
);

/// A point in the opaque orange part of the watermark (above the letters, off the seams).
pub const WATERMARK_PROBE_POINT: (u32, u32) = (
    WATERMARK_RECT.0 + WATERMARK_SIZE / 2 + WATERMARK_SIZE * 22 / 100,
    WATERMARK_RECT.1 + WATERMARK_SIZE / 2 - WATERMARK_SIZE * 26 / 100,
);

/// A point under the logo's shadow alone, which is black at 35 % opacity (the disc, its
/// letters and seams are elsewhere).
pub const WATERMARK_SHADOW_POINT: (u32, u32) = (WATERMARK_RECT.0 + 123, WATERMARK_RECT.1 + 84);

/// The colour expected at [`WATERMARK_PROBE_POINT`].
pub const WATERMARK_PROBE_COLOUR: Rgb = ORANGE;

/// 5x7 block letters, one string of `#` and `.` per row.
fn glyph(letter: char) -> [&'static str; 7] {
    match letter {
        'A' => [
            ".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#",
        ],
        'N' => [
            "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#", "#...#",
        ],
        'B' => [
            "####.", "#...#", "#...#", "####.", "#...#", "#...#", "####.",
        ],
        'R' => [
            "####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#",
        ],
        'I' => [
            "#####", "..#..", "..#..", "..#..", "..#..", "..#..", "#####",
        ],
        'S' => [
            ".####", "#....", "#....", ".###.", "....#", "....#", "####.",
        ],
        'G' => [
            ".####", "#....", "#....", "#.###", "#...#", "#...#", ".###.",
        ],
        'T' => [
            "#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#..",
        ],
        _ => [
            ".....", ".....", ".....", ".....", ".....", ".....", ".....",
        ],
    }
}

/// Draws `text` with its top-left corner at (x, y), each glyph cell `cell` pixels square.
fn draw_text(image: &mut RgbaImage, text: &str, x: u32, y: u32, cell: u32, colour: Rgb) {
    for (index, letter) in text.chars().enumerate() {
        let left = x + u32::try_from(index).unwrap_or(0) * 6 * cell;
        for (row, bits) in glyph(letter).iter().enumerate() {
            for (column, bit) in bits.chars().enumerate() {
                if bit == '#' {
                    let (px, py) = (left + column as u32 * cell, y + row as u32 * cell);
                    image.fill_rect(px, py, cell, cell, colour, 255);
                }
            }
        }
    }
}

/// Width in pixels of `letters` glyphs drawn with `cell`-pixel cells.
fn text_width(letters: u32, cell: u32) -> u32 {
    (letters * 6 - 1) * cell
}

/// The logo, `size` pixels square, with transparency around the disc.
pub(crate) fn logo(size: u32) -> RgbaImage {
    let mut image = RgbaImage::transparent(size, size);
    let centre = size as f32 / 2.0;
    let radius = size as f32 * 0.44;
    let shadow_offset = size as f32 * 0.03;

    image.paint_disc(
        centre + shadow_offset,
        centre + shadow_offset,
        radius + size as f32 * 0.02,
        Rgb(0, 0, 0),
        0.35,
    );
    image.paint_disc(centre, centre, radius, ORANGE, 1.0);
    let seam = (size / 40).max(1);
    for top in [size / 2 + size / 6, size / 2 - size / 6 - seam] {
        image.paint_band_in_disc(top, seam, SEAM, 230, (centre, centre, radius));
    }

    let cell = (size * 62 / 100) / (3 * 6 - 1);
    let (width, height) = (text_width(3, cell), 7 * cell);
    draw_text(
        &mut image,
        "ANB",
        (size - width) / 2,
        (size - height) / 2,
        cell,
        WHITE,
    );
    image
}

/// The watermark, ready to blend onto 1280x720 frames at [`WATERMARK_RECT`].
pub(crate) fn watermark() -> Yuva {
    Yuva::from_rgba(&logo(WATERMARK_SIZE))
}

/// The bumper card as a full 1280x720 picture.
pub(crate) fn bumper() -> Yuva {
    Yuva::from_rgba(&bumper_card())
}

/// The bumper card in RGBA, before conversion for blending.
pub(crate) fn bumper_card() -> RgbaImage {
    let (width, height) = (crate::OUTPUT_WIDTH, crate::OUTPUT_HEIGHT);
    let mut card = RgbaImage::transparent(width, height);
    card.fill_rect(0, 0, width, height, BUMPER_BACKGROUND, 255);
    let big = logo(360);
    card.draw(&big, (width - 360) / 2, 110);
    let cell = 8;
    let text = "RISING STARS";
    draw_text(
        &mut card,
        text,
        (width - text_width(text.len() as u32, cell)) / 2,
        510,
        cell,
        WHITE,
    );
    card
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_point_is_opaque_orange_and_the_corners_are_transparent() {
        let image = logo(WATERMARK_SIZE);
        let (x, y) = (
            WATERMARK_PROBE_POINT.0 - WATERMARK_RECT.0,
            WATERMARK_PROBE_POINT.1 - WATERMARK_RECT.1,
        );

        assert_eq!(image.pixel(x, y), (ORANGE, 255));
        assert_eq!(image.pixel(0, 0).1, 0);
        let shadow = image.pixel(
            WATERMARK_SHADOW_POINT.0 - WATERMARK_RECT.0,
            WATERMARK_SHADOW_POINT.1 - WATERMARK_RECT.1,
        );
        assert_eq!(shadow, (Rgb(0, 0, 0), 89), "35 % black");
    }

    #[test]
    fn the_watermark_fits_inside_the_frame() {
        let (x, y, w, h) = WATERMARK_RECT;
        assert!(x + w <= crate::OUTPUT_WIDTH && y + h <= crate::OUTPUT_HEIGHT);
        assert_eq!((x % 2, y % 2), (0, 0), "chroma planes need even offsets");
    }
}
