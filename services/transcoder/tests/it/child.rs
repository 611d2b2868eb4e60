//! The real `anb-transcoder` binary and a Redis server of the test's own, each run as a
//! child process, for faults only a separate process can suffer: SIGKILL mid-job, a Redis
//! restart, memory held across many jobs. Both are killed by pid when dropped, so a failing
//! assertion leaves nothing running.

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    time::Duration,
};

use anb_transcoder::Config;

/// A transcoder process configured like `config` (only its port and metrics port differ:
/// both are free ones).
pub struct WorkerProcess {
    child: Child,
}

impl WorkerProcess {
    pub fn spawn(config: &Config) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_anb-transcoder"));
        // Nothing from the test's environment (an OTLP endpoint, a TRANSCODER_* of the
        // developer's) may reach the child.
        command
            .env_clear()
            .envs(worker_env(config))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(child_output());
        Self {
            child: command.spawn().expect("the transcoder binary starts"),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no shutdown handling, no hand-back, no clean-up of partial outputs.
    pub fn kill(mut self) {
        self.kill_now();
    }

    /// Resident memory of the process, in KiB, as Linux reports it.
    pub fn resident_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("the worker is alive and procfs readable");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.split_whitespace().next()?.parse().ok())
            .expect("Linux reports VmRSS in kB")
    }

    fn kill_now(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        self.kill_now();
    }
}

fn worker_env(config: &Config) -> Vec<(&'static str, String)> {
    let storage_root = config.storage_root.to_string_lossy().into_owned();
    vec![
        ("TRANSCODER_LISTEN_ADDR", "127.0.0.1:0".to_owned()),
        ("TRANSCODER_METRICS_ADDR", "127.0.0.1:0".to_owned()),
        ("TRANSCODER_REDIS_URL", config.redis_url.clone()),
        ("TRANSCODER_QUEUE_PREFIX", config.queue_prefix.clone()),
        (
            "TRANSCODER_CONNECT_WAIT_SECS",
            config.connect_wait_secs.to_string(),
        ),
        ("TRANSCODER_VIDEOS_URL", config.videos_url.clone()),
        ("TRANSCODER_STORAGE_ROOT", storage_root),
        ("TRANSCODER_CONSUMER_NAME", config.consumer()),
        (
            "TRANSCODER_RECLAIM_IDLE_SECS",
            config.reclaim_idle_secs.to_string(),
        ),
        ("TRANSCODER_MAX_ATTEMPTS", config.max_attempts.to_string()),
        ("TRANSCODER_RETRY_BASE_MS", config.retry_base_ms.to_string()),
        ("TRANSCODER_RETRY_MAX_MS", config.retry_max_ms.to_string()),
        ("TRANSCODER_X264_PRESET", config.x264_preset.clone()),
        ("TRANSCODER_X264_CRF", config.x264_crf.to_string()),
        (
            "TRANSCODER_SHUTDOWN_GRACE_SECS",
            config.shutdown_grace_secs.to_string(),
        ),
        ("RUST_LOG", "info".to_owned()),
    ]
}

/// The children's logs show only with `TEST_LOG`, as the in-process tests' do.
fn child_output() -> Stdio {
    if std::env::var_os("TEST_LOG").is_some() {
        Stdio::inherit()
    } else {
        Stdio::null()
    }
}

/// Partial outputs (`*.part-*`, as anb-media names them) under the storage root.
pub fn partial_outputs(storage_root: &Path) -> Vec<String> {
    let mut parts = Vec::new();
    for kind in [
        anb_storage::MediaKind::Processed,
        anb_storage::MediaKind::Poster,
    ] {
        let folder = storage_root.join(kind.folder());
        for entry in std::fs::read_dir(folder).expect("storage folder") {
            let name = entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            if name.contains(".part-") {
                parts.push(name);
            }
        }
    }
    parts
}

/// How long a test waits for one small transcode in a debug build on a busy machine.
pub const JOB_LIMIT: Duration = Duration::from_secs(120);
