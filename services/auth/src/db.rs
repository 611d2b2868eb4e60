//! The tables of the `auth` schema, one sea-orm entity per file.

pub mod user;
