use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use reqwest::{Client, StatusCode, multipart};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio_util::io::ReaderStream;
use uuid::Uuid;

/// The platform started by `deploy/local/test`.
pub struct Platform {
    pub base: String,
    pub http: Client,
    state_dir: PathBuf,
}

/// A signed-up, logged-in player.
pub struct Player {
    pub token: String,
}

impl Platform {
    pub fn from_env() -> Self {
        let base = std::env::var("ANB_BASE_URL")
            .expect("ANB_BASE_URL must point at a running platform (deploy/local/test sets it)");
        let state_dir = std::env::var("ANB_PLATFORM_STATE_DIR")
            .expect("ANB_PLATFORM_STATE_DIR must name deploy/local/up's state folder");
        let http = Client::builder()
            .timeout(Duration::from_secs(300))
            .build()
            .expect("a plain HTTP client always builds");
        Self {
            base,
            http,
            state_dir: PathBuf::from(state_dir),
        }
    }

    /// A platform other than the one `deploy/local/test` started (the tracing test starts
    /// its own).
    pub fn at(base: String, state_dir: PathBuf) -> Self {
        let http = Client::builder()
            .timeout(Duration::from_secs(300))
            .build()
            .expect("a plain HTTP client always builds");
        Self {
            base,
            http,
            state_dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The process id of a service started by `deploy/local/up`.
    pub fn pid_of(&self, service: &str) -> u32 {
        let path = self.state_dir.join("pids").join(format!("{service}.pid"));
        let text = std::fs::read_to_string(&path).expect("up records every service's pid");
        text.trim().parse().expect("a pid file holds a number")
    }

    pub async fn sign_up_and_log_in(&self) -> Result<Player> {
        let email = format!("player-{}@Example.com", Uuid::new_v4().simple());
        let signup = self
            .http
            .post(self.url("/api/auth/signup"))
            .json(&json!({
                "first_name": "Camila", "last_name": "Rojas", "email": email,
                "password1": "StrongPass123", "password2": "StrongPass123",
                "city": "Bogotá", "country": "Colombia",
            }))
            .send()
            .await?;
        let status = signup.status();
        let body: Value = signup.json().await?;
        if status != StatusCode::CREATED {
            bail!("signup answered {status}: {body}");
        }
        let user = body["user"]
            .as_object()
            .context("signup returns the user")?;
        Uuid::parse_str(user["id"].as_str().context("user.id")?)?;
        if user
            .keys()
            .any(|key| key.contains("password") || key.contains("hash"))
        {
            bail!("signup leaks a password field: {body}");
        }

        let login = self
            .http
            .post(self.url("/api/auth/login"))
            .json(&json!({ "email": email.to_lowercase(), "password": "StrongPass123" }))
            .send()
            .await?;
        let status = login.status();
        let body: Value = login.json().await?;
        if status != StatusCode::OK {
            bail!("login answered {status}: {body}");
        }
        let token = body["access_token"]
            .as_str()
            .context("login returns access_token")?
            .to_owned();
        Ok(Player { token })
    }

    /// Uploads `file` as `video_file`, streaming it from disk.
    pub async fn upload(
        &self,
        token: &str,
        file: &Path,
        title: &str,
    ) -> Result<(StatusCode, Value)> {
        let length = tokio::fs::metadata(file).await?.len();
        let stream = ReaderStream::with_capacity(tokio::fs::File::open(file).await?, 256 * 1024);
        let part = multipart::Part::stream_with_length(reqwest::Body::wrap_stream(stream), length)
            .file_name("clip.mp4")
            .mime_str("video/mp4")?;
        let form = multipart::Form::new()
            .text("title", title.to_owned())
            .part("video_file", part);

        let response = self
            .http
            .post(self.url("/api/videos/upload"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await?;
        let status = response.status();
        Ok((status, response.json().await?))
    }

    pub async fn get_json(&self, token: Option<&str>, path: &str) -> Result<(StatusCode, Value)> {
        let mut request = self.http.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await?;
        let status = response.status();
        Ok((status, response.json().await?))
    }

    /// Polls a video until it leaves `uploaded`/`processing`, failing after `limit`.
    pub async fn wait_until_processed(
        &self,
        token: &str,
        video_id: &str,
        limit: Duration,
    ) -> Result<Value> {
        let started = Instant::now();
        loop {
            let (status, video) = self
                .get_json(Some(token), &format!("/api/videos/{video_id}"))
                .await?;
            if status != StatusCode::OK {
                bail!("video detail answered {status}: {video}");
            }
            match video["status"].as_str() {
                Some("processed") => return Ok(video),
                Some("failed") => bail!("processing failed: {}", video["failure_reason"]),
                _ if started.elapsed() > limit => {
                    bail!("still {} after {limit:?}", video["status"])
                }
                _ => tokio::time::sleep(Duration::from_millis(500)).await,
            }
        }
    }

    /// Downloads a media URL path to `target`.
    pub async fn download(&self, url_path: &str, target: &Path) -> Result<()> {
        let response = self.http.get(self.url(url_path)).send().await?;
        if response.status() != StatusCode::OK {
            bail!("download of media answered {}", response.status());
        }
        tokio::fs::write(target, response.bytes().await?).await?;
        Ok(())
    }
}

pub fn sha256_of(path: &Path) -> String {
    let bytes = std::fs::read(path).expect("the file was just written");
    format!("{:x}", Sha256::digest(bytes))
}

/// Resident set size of a process in bytes.
pub fn resident_bytes(pid: u32) -> u64 {
    let status =
        std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the service is running");
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("Linux reports VmRSS in kB");
    kib * 1024
}

/// A player signed up with a chosen name and city, and their user id.
pub struct NamedPlayer {
    pub token: String,
    pub user_id: String,
}

impl Platform {
    /// Signs up `first last` from `city` with a fresh email and logs in.
    pub async fn sign_up_as(&self, first: &str, last: &str, city: &str) -> Result<NamedPlayer> {
        let email = format!("named-{}@example.com", Uuid::new_v4().simple());
        let (status, body) = self
            .post_json(
                None,
                "/api/auth/signup",
                &json!({
                    "first_name": first, "last_name": last, "email": email,
                    "password1": "StrongPass123", "password2": "StrongPass123",
                    "city": city, "country": "Colombia",
                }),
            )
            .await?;
        if status != StatusCode::CREATED {
            bail!("signup answered {status}: {body}");
        }
        let user_id = body["user"]["id"].as_str().context("user.id")?.to_owned();
        let login = json!({ "email": email, "password": "StrongPass123" });
        let (status, body) = self.post_json(None, "/api/auth/login", &login).await?;
        if status != StatusCode::OK {
            bail!("login answered {status}: {body}");
        }
        let token = body["access_token"].as_str().context("access_token")?;
        Ok(NamedPlayer {
            token: token.to_owned(),
            user_id,
        })
    }

    /// POSTs `body` as JSON (or nothing for `Value::Null`), with a bearer token if given.
    pub async fn post_json(
        &self,
        token: Option<&str>,
        path: &str,
        body: &Value,
    ) -> Result<(StatusCode, Value)> {
        let mut request = self.http.post(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if !body.is_null() {
            request = request.json(body);
        }
        let response = request.send().await?;
        let status = response.status();
        Ok((status, response.json().await?))
    }
}

impl Platform {
    /// DELETEs `path` with a bearer token; the body is JSON (every answer of the API is).
    pub async fn delete_json(&self, token: &str, path: &str) -> Result<(StatusCode, Value)> {
        let response = self
            .http
            .delete(self.url(path))
            .bearer_auth(token)
            .send()
            .await?;
        let status = response.status();
        Ok((status, response.json().await?))
    }
}

impl Platform {
    /// `deploy/local/up`'s state folder (secrets, logs, pids).
    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }
}

/// A 21 s 1080p clip without audio: the smallest upload the platform accepts.
pub fn write_valid_clip(path: &Path) {
    let spec = anb_media::fixtures::ClipSpec {
        width: 1920,
        height: 1080,
        seconds: 21.0,
        fps: 30,
        with_audio: false,
    };
    anb_media::fixtures::write_clip(path, &spec).expect("fixture clip");
}

impl Platform {
    /// Uploads `clip` for `token`'s player, waits until it is processed (at most `limit`)
    /// and publishes it; returns the video id.
    pub async fn publish_new_video(
        &self,
        token: &str,
        clip: &Path,
        title: &str,
        limit: Duration,
    ) -> Result<String> {
        let (status, created) = self.upload(token, clip, title).await?;
        if status != StatusCode::CREATED {
            bail!("upload answered {status}: {created}");
        }
        let video_id = created["video_id"].as_str().context("video_id")?.to_owned();
        self.wait_until_processed(token, &video_id, limit).await?;

        let publish = format!("/api/videos/{video_id}/publish");
        let (status, body) = self.post_json(Some(token), &publish, &Value::Null).await?;
        if status != StatusCode::OK {
            bail!("publish answered {status}: {body}");
        }
        Ok(video_id)
    }

    /// The Redis URL `deploy/local/up` started the platform with.
    pub fn redis_url(&self) -> String {
        let path = self.state_dir.join("redis.url");
        let text = std::fs::read_to_string(&path).expect("up records the redis url");
        text.trim().to_owned()
    }

    /// Stops the platform's Redis (`start` false) or starts it again on the same port and
    /// data folder, with the project's own scripts.
    pub fn switch_redis(&self, start: bool) {
        let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/local/lib.sh");
        let port = self.redis_url().rsplit(':').next().map(str::to_owned);
        let action = if start {
            "anb_start_redis"
        } else {
            "anb_stop_redis"
        };
        let script = format!("source \"$1\" && {action} \"$2\" >/dev/null");
        let status = std::process::Command::new("bash")
            .args(["-c", &script, "bash"])
            .arg(&lib)
            .arg(&self.state_dir)
            .env("ANB_REDIS_PORT", port.unwrap_or_default())
            .status()
            .expect("bash runs");
        assert!(status.success(), "{action} failed");
    }
}
