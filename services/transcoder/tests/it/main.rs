//! The transcoder run in-process, or as the real binary in a child process (`child`),
//! against a real Redis (`ANB_TEST_REDIS_URL`), real FFmpeg and a fake videos peer; every
//! test uses its own queue prefix and storage folder.

mod child;
mod dead_letters;
mod fake_videos;
mod faults;
mod memory;
mod pipeline;
mod resilience;

use std::{future::Future, net::SocketAddr, time::Duration};

use anb_proto::transcoder::v1::{
    GetQueueStatsRequest, QueueStats, transcoder_service_client::TranscoderServiceClient,
};
use anb_queue::{JobQueue, TranscodeJob};
use anb_storage::{MediaKind, Storage};
use anb_transcoder::{App, Config};
use fred::prelude::KeysInterface;
use tempfile::TempDir;
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use uuid::Uuid;

use crate::fake_videos::FakeVideos;

/// One transcoder with its own queue, storage and fake videos.
pub struct Harness {
    pub config: Config,
    pub queue: JobQueue,
    pub storage: Storage,
    pub videos: FakeVideos,
    _storage_dir: TempDir,
}

/// A transcoder started through `anb_transcoder::run`.
pub struct Running {
    pub address: SocketAddr,
    stop: oneshot::Sender<()>,
    joined: JoinHandle<anb_transcoder::Result<()>>,
}

impl Harness {
    /// `unavailable_reports`: how many result reports the fake videos refuses first.
    pub async fn new(unavailable_reports: usize) -> Self {
        let redis_url = std::env::var("ANB_TEST_REDIS_URL").expect(
            "ANB_TEST_REDIS_URL must point at a throw-away Redis \
             (deploy/local/test sets it; see deploy/local/lib.sh)",
        );
        Self::with_redis(redis_url, unavailable_reports).await
    }

    /// Like [`Harness::new`], on the Redis at `redis_url`.
    pub async fn with_redis(redis_url: String, unavailable_reports: usize) -> Self {
        if std::env::var_os("TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt().with_test_writer().try_init();
        }
        let (videos, videos_address) = FakeVideos::start(unavailable_reports).await;
        let storage_dir = tempfile::tempdir().expect("temp dir");
        let config = Config {
            listen_addr: "127.0.0.1:0".parse().expect("address"),
            redis_url: redis_url.clone(),
            queue_prefix: format!("anb_t_{}", Uuid::new_v4().simple()),
            connect_wait_secs: 5,
            videos_url: format!("http://{videos_address}"),
            storage_root: storage_dir.path().to_owned(),
            consumer_name: Some("test-worker".to_owned()),
            reclaim_idle_secs: 1,
            max_attempts: 3,
            retry_base_ms: 50,
            retry_max_ms: 200,
            x264_preset: "ultrafast".to_owned(),
            x264_crf: 30,
            shutdown_grace_secs: 2,
        };
        let client = anb_queue::connect(&redis_url, Duration::from_secs(5))
            .await
            .expect("redis");
        let queue = JobQueue::new(client, config.queue_names());
        let storage = Storage::new(storage_dir.path());
        storage.prepare().await.expect("storage folders");

        Self {
            config,
            queue,
            storage,
            videos,
            _storage_dir: storage_dir,
        }
    }

    pub async fn start(&self) -> Running {
        let app = App::connect(&self.config)
            .await
            .expect("transcoder connects");
        let listener = TcpListener::bind(self.config.listen_addr)
            .await
            .expect("bind");
        let address = listener.local_addr().expect("local address");
        let (stop, stopped) = oneshot::channel::<()>();
        let joined = tokio::spawn(anb_transcoder::run(app, listener, async move {
            let _ = stopped.await;
        }));
        Running {
            address,
            stop,
            joined,
        }
    }

    /// Writes `bytes` as the original of a new video and enqueues its job.
    pub async fn enqueue_original(&self, bytes: &[u8]) -> TranscodeJob {
        let job = new_job();
        tokio::fs::write(self.storage.path(MediaKind::Original, job.video_id), bytes)
            .await
            .expect("original written");
        self.queue.enqueue(&job).await.expect("enqueued");
        job
    }

    /// Deletes the test's Redis keys; call at the end of each test.
    pub async fn cleanup(self) {
        let names = self.queue.names();
        let keys = vec![names.stream.clone(), names.dead_letters.clone()];
        let _: u64 = self.queue.client().del(keys).await.expect("keys deleted");
    }

    pub fn path(&self, kind: MediaKind, job: &TranscodeJob) -> std::path::PathBuf {
        self.storage.path(kind, job.video_id)
    }
}

impl Running {
    pub async fn stats(&self) -> QueueStats {
        let mut client = TranscoderServiceClient::connect(format!("http://{}", self.address))
            .await
            .expect("transcoder reachable");
        client
            .get_queue_stats(GetQueueStatsRequest {})
            .await
            .expect("stats")
            .into_inner()
    }

    /// Signals shutdown and returns how `run` ended.
    pub async fn stop(self) -> anb_transcoder::Result<()> {
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(20), self.joined)
            .await
            .expect("run returns after shutdown")
            .expect("run does not panic")
    }
}

/// The bytes of a generated H.264 clip of `seconds` at 30 fps.
pub fn clip_bytes(width: u32, height: u32, seconds: u32) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("clip.mp4");
    let spec = anb_media::fixtures::ClipSpec {
        width,
        height,
        seconds: f64::from(seconds),
        fps: 30,
        with_audio: true,
    };
    anb_media::fixtures::write_clip(&path, &spec).expect("clip written");
    std::fs::read(&path).expect("clip read")
}

/// The duration of the output made from `content_seconds` of input: the content between
/// the two bumpers, at the output frame rate.
pub fn expected_output_ms(content_seconds: u32) -> i64 {
    let settings = anb_media::TranscodeSettings::default();
    let fps = anb_media::OUTPUT_FPS as u32;
    let frames = settings.intro_frames + content_seconds * fps + settings.outro_frames;
    i64::from(frames) * 1000 / i64::from(fps)
}

pub fn new_job() -> TranscodeJob {
    TranscodeJob {
        video_id: Uuid::now_v7(),
        task_id: Uuid::new_v4(),
        traceparent: None,
    }
}

/// Polls `probe` every 50 ms until it returns `Some`, for at most `limit`.
pub async fn eventually<T, F, Fut>(limit: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not met within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
