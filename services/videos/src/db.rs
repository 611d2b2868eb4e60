//! The tables of the `videos` schema, one sea-orm entity per file.

pub mod video;
