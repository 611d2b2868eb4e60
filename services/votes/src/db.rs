//! The tables of the `votes` schema, one sea-orm entity per file.

pub mod vote;
