//! End-to-end tests of the running platform, in `tests/it`. They start nothing themselves:
//! `deploy/local/test` starts the platform with `deploy/local/up` and passes its address in
//! `ANB_BASE_URL` and its state folder (process ids) in `ANB_PLATFORM_STATE_DIR`.
