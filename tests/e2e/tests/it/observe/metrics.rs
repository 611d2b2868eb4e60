//! Every service's metrics endpoint, scraped before and after known traffic: the counters
//! that traffic touches move by exactly its amounts.

use std::{collections::BTreeMap, time::Duration};

use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{ALL_SERVICES, Endpoints};
use crate::support::{Platform, write_valid_clip};

/// Debug builds on two shared cores: generous, but a wedged job still fails the test.
const PROCESSING_LIMIT: Duration = Duration::from_secs(300);
/// Scrapes while waiting for jobs of earlier tests to leave the queue.
const DRAIN_SCRAPES: u32 = 600;

/// One scrape: every sample by metric name and label set.
#[derive(Debug, Default)]
pub struct Scrape(Vec<(String, BTreeMap<String, String>, f64)>);

impl Scrape {
    pub fn parse(text: &str) -> Self {
        let samples = text
            .lines()
            .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
            .map(parse_sample)
            .collect();
        Self(samples)
    }

    /// The sum of the samples of `name` whose labels include all of `labels`.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.0
            .iter()
            .filter(|(sample, sample_labels, _)| {
                sample == name
                    && labels.iter().all(|(key, value)| {
                        sample_labels.get(*key).map(String::as_str) == Some(value)
                    })
            })
            .map(|(_, _, value)| value)
            .sum()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(sample, _, _)| sample == name)
    }
}

fn parse_sample(line: &str) -> (String, BTreeMap<String, String>, f64) {
    let (series, value) = line
        .rsplit_once(' ')
        .expect("a sample line ends with its value");
    let value: f64 = value.parse().expect("a numeric sample value");
    let Some((name, labels)) = series.split_once('{') else {
        return (series.to_owned(), BTreeMap::new(), value);
    };
    let labels = labels
        .trim_end_matches('}')
        .split("\",")
        .filter(|pair| !pair.is_empty())
        .filter_map(|pair| pair.split_once("=\""))
        .map(|(key, value)| (key.to_owned(), value.trim_end_matches('"').to_owned()))
        .collect();
    (name.to_owned(), labels, value)
}

pub async fn scrape(platform: &Platform, address: &str) -> Scrape {
    let response = platform
        .http
        .get(format!("http://{address}/metrics"))
        .send()
        .await
        .expect("the metrics endpoint answers");
    assert_eq!(response.status(), StatusCode::OK);
    Scrape::parse(&response.text().await.expect("a text body"))
}

async fn scrape_all(platform: &Platform, endpoints: &Endpoints) -> BTreeMap<&'static str, Scrape> {
    let mut scrapes = BTreeMap::new();
    for service in ALL_SERVICES {
        let address = endpoints.address(service, "metrics");
        scrapes.insert(service, scrape(platform, &address).await);
    }
    scrapes
}

/// Waits until no job of an earlier test is queued or running and the job counters have
/// settled, so this test's job is the only one counted.
async fn wait_for_idle_queue(platform: &Platform, address: &str) {
    let mut previous = None;
    for _ in 0..DRAIN_SCRAPES {
        let now = scrape(platform, address).await;
        let queued = now.value("anb_transcoder_queue_jobs", &[("state", "stream")]);
        let finished = now.value("anb_transcoder_jobs_total", &[]);
        if queued == 0.0 && previous == Some(finished) {
            return;
        }
        previous = (queued == 0.0).then_some(finished);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("the transcode queue never drained");
}

#[tokio::test]
async fn counters_move_by_exactly_the_traffic_sent() {
    let platform = Platform::from_env();
    let endpoints = Endpoints::read(platform.state_dir());
    let folder = tempfile::tempdir().expect("temp dir");
    let clip = folder.path().join("metrics.mp4");
    write_valid_clip(&clip);
    let clip_bytes = std::fs::metadata(&clip).expect("clip written").len() as f64;
    wait_for_idle_queue(&platform, &endpoints.address("transcoder", "metrics")).await;
    let before = scrape_all(&platform, &endpoints).await;

    // Three plain sign-ups, then the owner and the voter of the vote below: five in all.
    for _ in 0..3 {
        let email = format!("metrics-{}@example.com", Uuid::new_v4().simple());
        let body = json!({
            "first_name": "Mara", "last_name": "Metrica", "email": email,
            "password1": "StrongPass123", "password2": "StrongPass123",
            "city": "Medellín", "country": "Colombia",
        });
        let (status, body) = platform
            .post_json(None, "/api/auth/signup", &body)
            .await
            .expect("signup answered");
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let owner = platform
        .sign_up_as("Olga", "Metrica", "Medellín")
        .await
        .expect("owner");
    let voter = platform
        .sign_up_as("Vico", "Metrica", "Medellín")
        .await
        .expect("voter");
    let wrong = json!({ "email": "nobody-metrics@example.com", "password": "WrongPass123" });
    let (status, _) = platform
        .post_json(None, "/api/auth/login", &wrong)
        .await
        .expect("login answered");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let missing = format!("/api/videos/{}", Uuid::new_v4());
    let (status, _) = platform
        .get_json(Some(&owner.token), &missing)
        .await
        .expect("detail answered");
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, created) = platform
        .upload(&owner.token, &clip, "Metricas")
        .await
        .expect("upload answered");
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let video_id = created["video_id"].as_str().expect("video_id").to_owned();
    platform
        .wait_until_processed(&owner.token, &video_id, PROCESSING_LIMIT)
        .await
        .expect("processing finishes");
    let publish = format!("/api/videos/{video_id}/publish");
    let (status, body) = platform
        .post_json(Some(&owner.token), &publish, &Value::Null)
        .await
        .expect("publish answered");
    assert_eq!(status, StatusCode::OK, "{body}");
    let vote = format!("/api/public/videos/{video_id}/vote");
    let (status, body) = platform
        .post_json(Some(&voter.token), &vote, &Value::Null)
        .await
        .expect("vote answered");
    assert_eq!(status, StatusCode::OK, "{body}");

    let after = scrape_all(&platform, &endpoints).await;
    let moved = |service: &str, name: &str, labels: &[(&str, &str)]| {
        after[service].value(name, labels) - before[service].value(name, labels)
    };
    let auth = |method| [("service", "anb.auth.v1.AuthService"), ("method", method)];
    let route = |method, route, status| [("method", method), ("route", route), ("status", status)];

    assert_eq!(
        moved(
            "auth",
            "anb_grpc_server_requests_total",
            &[&auth("SignUp")[..], &[("code", "OK")]].concat()
        ),
        5.0
    );
    assert_eq!(
        moved(
            "auth",
            "anb_grpc_server_duration_seconds_count",
            &auth("SignUp")
        ),
        5.0
    );
    assert_eq!(
        moved(
            "auth",
            "anb_grpc_server_requests_total",
            &[&auth("LogIn")[..], &[("code", "OK")]].concat()
        ),
        2.0
    );
    assert_eq!(
        moved(
            "auth",
            "anb_grpc_server_errors_total",
            &[&auth("LogIn")[..], &[("code", "UNAUTHENTICATED")]].concat()
        ),
        1.0
    );
    assert_eq!(
        moved(
            "gateway",
            "anb_http_requests_total",
            &route("POST", "/api/auth/signup", "201")
        ),
        5.0
    );
    assert_eq!(
        moved(
            "gateway",
            "anb_http_errors_total",
            &route("POST", "/api/auth/login", "401")
        ),
        1.0
    );
    assert_eq!(
        moved(
            "gateway",
            "anb_http_requests_total",
            &route("POST", "/api/videos/upload", "201")
        ),
        1.0
    );
    assert_eq!(
        moved(
            "gateway",
            "anb_http_errors_total",
            &route("GET", "/api/videos/{video_id}", "404")
        ),
        1.0
    );
    assert_eq!(
        moved(
            "gateway",
            "anb_http_requests_total",
            &route("POST", "/api/public/videos/{video_id}/vote", "200")
        ),
        1.0
    );
    assert_eq!(
        moved("gateway", "anb_gateway_upload_bytes_total", &[]),
        clip_bytes
    );
    let videos = |method, code| {
        [
            ("service", "anb.videos.v1.VideosService"),
            ("method", method),
            ("code", code),
        ]
    };
    assert_eq!(
        moved(
            "videos",
            "anb_grpc_server_requests_total",
            &videos("Upload", "OK")
        ),
        1.0
    );
    assert_eq!(
        moved(
            "videos",
            "anb_grpc_server_errors_total",
            &videos("GetVideo", "NOT_FOUND")
        ),
        1.0
    );
    assert_eq!(
        moved(
            "videos",
            "anb_grpc_server_requests_total",
            &videos("RecordTranscodeResult", "OK")
        ),
        1.0
    );
    assert_eq!(
        moved("videos", "anb_videos_upload_bytes_total", &[]),
        clip_bytes
    );
    let votes = [
        ("service", "anb.votes.v1.VotesService"),
        ("method", "CastVote"),
        ("code", "OK"),
    ];
    assert_eq!(
        moved("votes", "anb_grpc_server_requests_total", &votes),
        1.0
    );
    assert_eq!(moved("votes", "anb_votes_cast_total", &[]), 1.0);
    assert_eq!(
        moved(
            "transcoder",
            "anb_transcoder_jobs_total",
            &[("outcome", "processed")]
        ),
        1.0
    );
    assert_eq!(
        moved(
            "transcoder",
            "anb_transcoder_job_duration_seconds_count",
            &[]
        ),
        1.0
    );
    assert_eq!(
        moved("transcoder", "anb_transcoder_retries_total", &[]),
        0.0
    );
    assert_eq!(
        moved("transcoder", "anb_transcoder_dead_letters_total", &[]),
        0.0
    );
    assert!(after["transcoder"].has("anb_transcoder_queue_jobs"));
}

#[test]
fn samples_parse_with_their_labels() {
    let scrape = Scrape::parse(
        "# HELP x y\nanb_a_total{code=\"OK\",method=\"SignUp\"} 3\nanb_a_total{code=\"NOT_FOUND\",method=\"SignUp\"} 2\nanb_b 7\n",
    );

    assert_eq!(scrape.value("anb_a_total", &[("method", "SignUp")]), 5.0);
    assert_eq!(scrape.value("anb_a_total", &[("code", "OK")]), 3.0);
    assert_eq!(scrape.value("anb_b", &[]), 7.0);
}
