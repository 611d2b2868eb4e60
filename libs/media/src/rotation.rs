//! The display matrix: phones record sideways and store how to turn the picture in stream
//! side data instead of rotating pixels. The FFmpeg library API never applies it for us.

use ffmpeg_next::{codec::packet::side_data::Type as SideDataType, format::stream::Stream};

/// Clockwise rotation in degrees (0, 90, 180 or 270) a player must apply to show `stream`
/// upright.
pub(crate) fn clockwise_degrees(stream: &Stream<'_>) -> u32 {
    stream
        .side_data()
        .find(|data| data.kind() == SideDataType::DisplayMatrix)
        .and_then(|data| degrees_from_matrix(data.data()))
        .unwrap_or(0)
}

/// The matrix is nine native-endian i32 values, a and b of its first row in 16.16 fixed
/// point; the angle of (a, b) is the clockwise display rotation.
fn degrees_from_matrix(bytes: &[u8]) -> Option<u32> {
    let value = |index: usize| -> Option<f64> {
        let chunk = bytes.get(index * 4..index * 4 + 4)?;
        Some(f64::from(i32::from_ne_bytes(chunk.try_into().ok()?)))
    };
    let (a, b) = (value(0)?, value(1)?);
    if a == 0.0 && b == 0.0 {
        return None;
    }
    let degrees = b.atan2(a).to_degrees().round() as i64;
    let snapped = ((degrees.rem_euclid(360) + 45) / 90 * 90) % 360;
    u32::try_from(snapped).ok()
}

#[cfg(test)]
mod tests {
    use super::degrees_from_matrix;

    fn matrix(a: i32, b: i32, c: i32, d: i32) -> Vec<u8> {
        [a, b, 0, c, d, 0, 0, 0, 1 << 30]
            .iter()
            .flat_map(|v| v.to_ne_bytes())
            .collect()
    }

    #[test]
    fn rotation_matrices_map_to_clockwise_quarter_turns() {
        let one = 1 << 16;
        assert_eq!(degrees_from_matrix(&matrix(one, 0, 0, one)), Some(0));
        assert_eq!(degrees_from_matrix(&matrix(0, one, -one, 0)), Some(90));
        assert_eq!(degrees_from_matrix(&matrix(-one, 0, 0, -one)), Some(180));
        assert_eq!(degrees_from_matrix(&matrix(0, -one, one, 0)), Some(270));
        assert_eq!(degrees_from_matrix(&[0; 8]), None);
        assert_eq!(degrees_from_matrix(&[1, 2, 3]), None);
    }
}
