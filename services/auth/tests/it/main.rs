//! Integration tests of `anb-auth`: the real service on 127.0.0.1:0 over gRPC, against the
//! PostgreSQL named by `ANB_TEST_DATABASE_URL`, each test in its own schema.

mod harness;
mod keys;
mod login;
mod logout;
mod profile;
mod signup;
mod throttle;
