//! Starts the real service in-process on port 0 against the test PostgreSQL and Redis, with
//! its own schema, queue prefix and storage folder, and mints access tokens for it.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use anb_identity::{AUDIENCE, Claims, ISSUER, TokenVerifier};
use anb_proto::{auth::v1::PublicKey, videos::v1::videos_service_client::VideosServiceClient};
use anb_queue::JobQueue;
use anb_storage::{Storage, UrlSigner};
use anb_videos::{App, SweepSettings, UploadPolicy};
use anyhow::Context;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use ed25519_dalek::{SigningKey, pkcs8::EncodePrivateKey};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use sea_orm::DatabaseConnection;
use tokio::sync::oneshot;
use tonic::{Request, transport::Channel};
use uuid::Uuid;

use crate::fake_auth::{self, Profiles};

pub const MEDIA_SECRET: &[u8] = b"test-media-secret-0123456789";
const KID: &str = "test-key";

/// Knobs a test may turn before the service starts.
pub struct Options {
    pub policy: UploadPolicy,
    pub sweep: SweepSettings,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            policy: UploadPolicy {
                max_bytes: 104_857_600,
                min_duration: Duration::from_secs(20),
                max_duration: Duration::from_secs(60),
                min_short_side_px: 1080,
                idle_timeout: Duration::from_secs(60),
            },
            sweep: SweepSettings {
                interval: Duration::from_secs(3600),
                requeue_after: Duration::from_secs(900),
            },
        }
    }
}

/// A running service and what a test needs to look behind it.
pub struct TestService {
    pub client: VideosServiceClient<Channel>,
    pub db: DatabaseConnection,
    pub queue: JobQueue,
    pub storage: Storage,
    /// What the fake `auth` answers to GetProfile, by user.
    pub profiles: Profiles,
    minter: Minter,
    _root: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
}

fn env(name: &str) -> anyhow::Result<String> {
    std::env::var(name).with_context(|| {
        format!(
            "{name} is not set: start the test PostgreSQL/Redis (deploy/local/test) and export it"
        )
    })
}

fn unique(prefix: &str) -> String {
    format!("{prefix}_{}", Uuid::new_v4().simple())
}

impl TestService {
    pub async fn start() -> anyhow::Result<Self> {
        Self::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> anyhow::Result<Self> {
        let database_url = env("ANB_TEST_DATABASE_URL")?;
        let redis_url = env("ANB_TEST_REDIS_URL")?;
        let db =
            anb_db::connect(&database_url, &unique("videos_t"), Duration::from_secs(10)).await?;
        anb_videos::migrate(&db).await?;
        let queue =
            anb_videos::connect_queue(&redis_url, &unique("anb_t"), Duration::from_secs(10))
                .await?;
        let root = tempfile::tempdir()?;
        let storage = Storage::new(root.path());
        let signer = UrlSigner::new(MEDIA_SECRET.to_vec(), Duration::from_secs(900));
        let minter = Minter::new()?;
        let profiles = Profiles::default();
        let auth_verifier = TokenVerifier::from_keys(&[minter.public_key()])?;
        let auth = fake_auth::start(auth_verifier, profiles.clone()).await?;

        let app = App {
            db: db.clone(),
            storage: storage.clone(),
            queue: queue.clone(),
            signer,
            verifier: Arc::new(TokenVerifier::from_keys(&[minter.public_key()])?),
            auth,
            policy: options.policy,
            sweep: options.sweep,
            shutdown_grace: Duration::from_secs(2),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(anb_videos::run(app, listener, async move {
            let _ = stopped.await;
        }));
        let client = VideosServiceClient::connect(format!("http://{address}")).await?;

        Ok(Self {
            client,
            db,
            queue,
            storage,
            profiles,
            minter,
            _root: root,
            stop: Some(stop),
        })
    }

    /// `message` with a valid access token of `user`.
    pub fn authed<T>(&self, user: Uuid, message: T) -> Request<T> {
        let mut request = Request::new(message);
        let value = format!("Bearer {}", self.minter.token(user));
        request.metadata_mut().insert(
            "authorization",
            value.parse().expect("a JWT is valid ASCII metadata"),
        );
        request
    }

    pub fn files_in(&self, folder: &str) -> anyhow::Result<Vec<PathBuf>> {
        list(&self.storage.root().join(folder))
    }
}

impl Drop for TestService {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn list(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        paths.push(entry?.path());
    }
    Ok(paths)
}

/// Signs access tokens the way `auth` does, with a key only this test knows.
struct Minter {
    encoding: EncodingKey,
    public: String,
}

impl Minter {
    fn new() -> anyhow::Result<Self> {
        let signing = SigningKey::generate(&mut rand::rngs::OsRng);
        let der = signing.to_pkcs8_der().context("encoding the test key")?;
        let public = URL_SAFE_NO_PAD.encode(signing.verifying_key().as_bytes());
        Ok(Self {
            encoding: EncodingKey::from_ed_der(der.as_bytes()),
            public,
        })
    }

    fn public_key(&self) -> PublicKey {
        PublicKey {
            kid: KID.to_owned(),
            algorithm: "EdDSA".to_owned(),
            x: self.public.clone(),
        }
    }

    fn token(&self, user: Uuid) -> String {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user.to_string(),
            jti: Uuid::new_v4().to_string(),
            iat: now,
            nbf: now,
            exp: now + 600,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(KID.to_owned());
        jsonwebtoken::encode(&header, &claims, &self.encoding)
            .expect("an Ed25519 key signs any claims")
    }
}

/// Writes a video row directly, for tests about reading and status changes.
pub async fn insert_video(
    db: &DatabaseConnection,
    owner: Uuid,
    title: &str,
    uploaded_at: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Uuid> {
    use anb_videos::{
        db::video::{ActiveModel, Entity, Model, VideoStatus},
        ids::{TaskId, UserId, VideoId},
    };
    use sea_orm::EntityTrait;

    let id = Uuid::now_v7();
    let row = Model {
        id: VideoId(id),
        owner_id: UserId(owner),
        title: title.to_owned(),
        status: VideoStatus::Uploaded,
        is_public: false,
        original_file_name: "clip.mp4".to_owned(),
        size_bytes: 1_000,
        duration_ms: 21_000,
        width: 1920,
        height: 1080,
        task_id: TaskId(Uuid::now_v7()),
        failure_reason: None,
        processed_duration_ms: None,
        uploaded_at,
        processing_started_at: None,
        processed_at: None,
        updated_at: uploaded_at,
        owner_first_name: "Test".to_owned(),
        owner_last_name: "Player".to_owned(),
        owner_city: "Bogotá".to_owned(),
        owner_country: "Colombia".to_owned(),
        owner_city_key: "bogota".to_owned(),
    };
    Entity::insert(ActiveModel::from(row))
        .exec_without_returning(db)
        .await?;
    Ok(id)
}

/// Moves a row to `status` with `is_public`, processed at `processed_at`, as a finished (or
/// unfinished) transcode would have left it.
pub async fn set_state(
    db: &DatabaseConnection,
    id: Uuid,
    status: anb_videos::db::video::VideoStatus,
    is_public: bool,
    processed_at: Option<chrono::DateTime<chrono::Utc>>,
) -> anyhow::Result<()> {
    use anb_videos::{
        db::video::{Column, Entity},
        ids::VideoId,
    };
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

    Entity::update_many()
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::IsPublic, Expr::value(is_public))
        .col_expr(Column::ProcessedAt, Expr::value(processed_at))
        .filter(Column::Id.eq(VideoId(id)))
        .exec(db)
        .await?;
    Ok(())
}

/// Gives a row's owner snapshot the city `city`, folded as the service folds it.
pub async fn set_city(
    db: &DatabaseConnection,
    id: Uuid,
    city: &str,
    key: &str,
) -> anyhow::Result<()> {
    use anb_videos::{
        db::video::{Column, Entity},
        ids::VideoId,
    };
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

    Entity::update_many()
        .col_expr(Column::OwnerCity, Expr::value(city))
        .col_expr(Column::OwnerCityKey, Expr::value(key))
        .filter(Column::Id.eq(VideoId(id)))
        .exec(db)
        .await?;
    Ok(())
}
