//! The top-level boxes of an ISO base media (MP4) file: type, offset and declared size,
//! read from the headers alone.

use std::{
    io::{Read, Seek, SeekFrom},
    path::Path,
};

/// One top-level box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TopLevelBox {
    pub(crate) kind: [u8; 4],
    pub(crate) offset: u64,
    pub(crate) size: u64,
}

/// The file's top-level boxes in order, and whether the last one claims more bytes than
/// the file holds (a truncated upload).
pub(crate) fn top_level_boxes(path: &Path) -> std::io::Result<(Vec<TopLevelBox>, bool)> {
    let mut file = std::fs::File::open(path)?;
    let length = file.metadata()?.len();
    let mut boxes = Vec::new();
    let mut offset = 0u64;
    while offset + 8 <= length {
        file.seek(SeekFrom::Start(offset))?;
        let mut header = [0u8; 16];
        file.read_exact(&mut header[..8])?;
        let size = match u32::from_be_bytes([header[0], header[1], header[2], header[3]]) {
            0 => length - offset,
            1 => {
                if offset + 16 > length {
                    return Ok((boxes, true));
                }
                file.read_exact(&mut header[8..16])?;
                u64::from_be_bytes(header[8..16].try_into().expect("eight bytes"))
            }
            n => u64::from(n),
        };
        let kind = [header[4], header[5], header[6], header[7]];
        if size < 8 {
            return Ok((boxes, true));
        }
        boxes.push(TopLevelBox { kind, offset, size });
        if offset.saturating_add(size) > length {
            return Ok((boxes, true));
        }
        offset += size;
    }
    Ok((boxes, offset < length))
}
