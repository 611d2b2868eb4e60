//! The media library on clips generated in process, checked by decoding the results.

mod kinds;
mod probing;
mod transcoding;
