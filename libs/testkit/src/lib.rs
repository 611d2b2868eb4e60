//! Servers that integration tests start, break and start again themselves, for tests whose
//! subject is what happens when a dependency goes away.
#![warn(missing_docs)]

use std::process::{Child, Command, Stdio};

use tempfile::TempDir;

/// A Redis server of one test on a free loopback port, persisting the way
/// docs/operations.md asks production Redis to (append-only file, fsync every second, no
/// RDB snapshots), so a test can kill it and start it again on the same port and data.
pub struct OwnRedis {
    port: u16,
    dir: TempDir,
    child: Option<Child>,
}

impl OwnRedis {
    /// Starts the server; callers connect with a bounded wait, as it needs a moment to bind.
    ///
    /// # Panics
    /// When no port or folder is free or `redis-server` is not installed
    /// (deploy/local/lib.sh installs it).
    #[must_use]
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free loopback port")
            .port();
        let mut redis = Self {
            port,
            dir: tempfile::tempdir().expect("temp dir"),
            child: None,
        };
        redis.restart();
        redis
    }

    /// `redis://127.0.0.1:<port>`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// SIGKILL by pid, then waits until the process is gone. Redis appends each write to
    /// its AOF before answering, so only a machine crash could lose the last second.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server (again) on the same port and data folder.
    ///
    /// # Panics
    /// When `redis-server` cannot be started.
    pub fn restart(&mut self) {
        self.kill();
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args([
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--save",
                "",
            ])
            .arg("--dir")
            .arg(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server runs (deploy/local/lib.sh installs it)");
        self.child = Some(child);
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.kill();
    }
}
