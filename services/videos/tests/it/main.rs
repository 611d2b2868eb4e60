//! Integration tests of `anb-videos`: the real service on port 0 against real PostgreSQL,
//! Redis and FFmpeg. Needs `ANB_TEST_DATABASE_URL` and `ANB_TEST_REDIS_URL`.

mod access;
mod clips;
mod fake_auth;
mod gallery;
mod processing;
mod publication;
mod support;
mod sweep;
mod upload;
mod upload_rejections;
