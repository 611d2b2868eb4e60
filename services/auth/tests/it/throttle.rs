use std::time::Duration;

use anb_grpc::reason_of;
use anb_proto::auth::v1::LogInRequest;
use tonic::{Code, Status};

use crate::harness::{PASSWORD, Running, Setup, start_fresh, start_with, unique_email};

const WRONG: &str = "WrongPass999";

async fn log_in_from(
    auth: &mut Running,
    email: &str,
    password: &str,
    address: &str,
) -> Result<String, Status> {
    let mut request = tonic::Request::new(LogInRequest {
        email: email.to_owned(),
        password: password.to_owned(),
    });
    request
        .metadata_mut()
        .insert("x-anb-client-ip", address.parse().expect("ASCII address"));
    Ok(auth.client.log_in(request).await?.into_inner().access_token)
}

fn retry_after(status: &Status) -> Option<u64> {
    status
        .metadata()
        .get("retry-after")?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

fn assert_throttled(status: &Status, max_wait_secs: u64) {
    assert_eq!(
        (status.code(), reason_of(status)),
        (Code::ResourceExhausted, Some("too_many_attempts"))
    );
    let wait = retry_after(status).expect("retry-after metadata in whole seconds");
    assert!((1..=max_wait_secs).contains(&wait), "retry-after {wait}");
}

#[tokio::test]
async fn after_five_failures_the_account_is_throttled_even_with_the_right_password() {
    let mut auth = start_fresh().await;
    let email = unique_email();
    auth.sign_up(&email).await;

    let mut failures = Vec::new();
    for _ in 0..5 {
        failures.push(
            auth.log_in(&email, WRONG)
                .await
                .expect_err("wrong password"),
        );
    }
    let sixth = auth.log_in(&email, WRONG).await.expect_err("throttled");
    let right = auth.log_in(&email, PASSWORD).await.expect_err("throttled");

    assert!(failures.iter().all(|s| s.code() == Code::Unauthenticated));
    assert_throttled(&sixth, 900);
    assert_throttled(&right, 900);
    auth.finish().await;
}

#[tokio::test]
async fn throttled_unknown_and_known_emails_get_the_same_answer() {
    let mut auth = start_fresh().await;
    let known = unique_email();
    auth.sign_up(&known).await;
    let unknown = unique_email();

    for _ in 0..5 {
        let _ = auth.log_in(&known, WRONG).await;
        let _ = auth.log_in(&unknown, WRONG).await;
    }
    let known = auth.log_in(&known, WRONG).await.expect_err("throttled");
    let unknown = auth.log_in(&unknown, WRONG).await.expect_err("throttled");

    assert_throttled(&known, 900);
    assert_eq!(
        (known.code(), known.message(), reason_of(&known)),
        (unknown.code(), unknown.message(), reason_of(&unknown))
    );
    auth.finish().await;
}

#[tokio::test]
async fn a_successful_log_in_resets_the_account_count() {
    let mut auth = start_fresh().await;
    let email = unique_email();
    auth.sign_up(&email).await;
    for _ in 0..4 {
        let _ = auth.log_in(&email, WRONG).await;
    }

    auth.log_in(&email, PASSWORD)
        .await
        .expect("fifth attempt is allowed");
    let mut after_reset = Vec::new();
    for _ in 0..5 {
        after_reset.push(
            auth.log_in(&email, WRONG)
                .await
                .expect_err("wrong password"),
        );
    }
    let sixth = auth.log_in(&email, PASSWORD).await.expect_err("throttled");

    assert!(
        after_reset
            .iter()
            .all(|s| s.code() == Code::Unauthenticated)
    );
    assert_throttled(&sixth, 900);
    auth.finish().await;
}

#[tokio::test]
async fn one_address_guessing_at_many_accounts_is_throttled_but_others_are_not() {
    let mut auth = start_with(Setup::fresh(), |config| {
        config.login_max_address_failures = 3;
        config.login_address_window_secs = 60;
    })
    .await;
    let email = unique_email();
    auth.sign_up(&email).await;

    for _ in 0..3 {
        let _ = log_in_from(&mut auth, &unique_email(), WRONG, "203.0.113.7").await;
    }
    let guesser = log_in_from(&mut auth, &email, PASSWORD, "203.0.113.7")
        .await
        .expect_err("throttled address");
    let neighbour = log_in_from(&mut auth, &email, PASSWORD, "198.51.100.4").await;

    assert_throttled(&guesser, 60);
    assert!(neighbour.is_ok(), "{neighbour:?}");
    auth.finish().await;
}

#[tokio::test]
async fn the_throttle_lifts_when_the_window_closes() {
    let mut auth = start_with(Setup::fresh(), |config| {
        config.login_max_account_failures = 1;
        config.login_account_window_secs = 1;
    })
    .await;
    let email = unique_email();
    auth.sign_up(&email).await;
    let _ = auth.log_in(&email, WRONG).await;
    let throttled = auth.log_in(&email, PASSWORD).await.expect_err("throttled");

    tokio::time::sleep(Duration::from_millis(2100)).await;
    let later = auth.log_in(&email, PASSWORD).await;

    assert_throttled(&throttled, 1);
    assert!(later.is_ok(), "{later:?}");
    auth.finish().await;
}
