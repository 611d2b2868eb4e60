//! The grpc-web body framing, for clients that speak grpc-web by hand (end-to-end tests,
//! benchmarks): each frame is a flag byte, a 4-byte big-endian length and the payload; flag
//! bit 0x80 marks the final frame, which carries the trailers as HTTP/1 header lines.

/// Flag of a trailer frame.
const TRAILER_FLAG: u8 = 0x80;
/// Flag byte plus length.
const HEADER_LEN: usize = 5;

/// One decoded grpc-web frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebFrame {
    /// An encoded protobuf message.
    Data(Vec<u8>),
    /// The trailers (`grpc-status`, `grpc-message`), as `name: value` lines.
    Trailers(String),
}

impl WebFrame {
    /// The `grpc-status` a trailer frame carries.
    pub fn grpc_status(&self) -> Option<i32> {
        let Self::Trailers(text) = self else {
            return None;
        };
        text.lines().find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("grpc-status")
                .then(|| value.trim().parse().ok())
                .flatten()
        })
    }
}

/// The body of a grpc-web request carrying one `message` (already protobuf-encoded).
pub fn encode_request(message: &[u8]) -> Vec<u8> {
    let length = u32::try_from(message.len()).expect("a grpc-web message is under 4 GiB");
    let mut body = Vec::with_capacity(HEADER_LEN + message.len());
    body.push(0);
    body.extend_from_slice(&length.to_be_bytes());
    body.extend_from_slice(message);
    body
}

/// Collects response bytes as they arrive and hands out whole frames.
#[derive(Debug, Default)]
pub struct FrameReader {
    buffer: Vec<u8>,
}

impl FrameReader {
    /// An empty reader.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds bytes read from the response body.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The next complete frame, if all of it has arrived.
    pub fn next_frame(&mut self) -> Option<WebFrame> {
        let header = self.buffer.get(..HEADER_LEN)?;
        let flag = header[0];
        let length = u32::from_be_bytes([header[1], header[2], header[3], header[4]]);
        let end = HEADER_LEN + usize::try_from(length).ok()?;
        if self.buffer.len() < end {
            return None;
        }

        let payload = self.buffer[HEADER_LEN..end].to_vec();
        self.buffer.drain(..end);
        Some(if flag & TRAILER_FLAG == 0 {
            WebFrame::Data(payload)
        } else {
            WebFrame::Trailers(String::from_utf8_lossy(&payload).into_owned())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_split_across_reads_come_out_whole() {
        let mut wire = encode_request(b"abc");
        wire.extend_from_slice(&[0x80, 0, 0, 0, 15]);
        wire.extend_from_slice(b"grpc-status:0\r\n");
        let mut reader = FrameReader::new();

        reader.push(&wire[..4]);
        let early = reader.next_frame();
        reader.push(&wire[4..10]);
        let data = reader.next_frame();
        reader.push(&wire[10..]);
        let trailers = reader.next_frame();

        assert_eq!(early, None);
        assert_eq!(data, Some(WebFrame::Data(b"abc".to_vec())));
        assert_eq!(trailers.and_then(|t| t.grpc_status()), Some(0));
        assert_eq!(reader.next_frame(), None);
    }
}
