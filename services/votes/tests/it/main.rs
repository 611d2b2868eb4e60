//! Integration tests of `anb-votes`: the real service on 127.0.0.1:0 over gRPC, against the
//! PostgreSQL named by `ANB_TEST_DATABASE_URL` and the Redis named by `ANB_TEST_REDIS_URL`,
//! each test in its own schema and Redis key prefix, in front of a videos test double.

mod cast_vote;
mod count_votes;
mod fake_videos;
mod harness;
mod my_votes;
mod ranking_view;
mod rankings;
mod watch_rankings;
