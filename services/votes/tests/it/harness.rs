//! Starts the real votes service in-process on port 0, in its own schema, in front of a
//! videos test double, and mints access tokens it accepts.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use anb_identity::{AUDIENCE, Claims, ISSUER, TokenVerifier};
use anb_proto::{
    auth::v1::PublicKey,
    videos::v1::{VotableVideo, videos_service_server::VideosServiceServer},
    votes::v1::{CastVoteRequest, votes_service_client::VotesServiceClient},
};
use anb_votes::{
    App, Config, Videos,
    cache::RankingCache,
    db::vote,
    ids::{UserId, VideoId, VoteId},
    view::RankingView,
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use ed25519_dalek::pkcs8::EncodePrivateKey as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, DbErr};
use secrecy::SecretString;
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use tonic::{Request, service::Routes, transport::Channel};
use uuid::Uuid;

use crate::fake_videos::{FakeVideos, Shared};

const KID: &str = "votes-test-key";

/// A running votes service in its own schema, and a client connected to it.
pub struct Running {
    pub client: VotesServiceClient<Channel>,
    pub db: DatabaseConnection,
    /// The Redis the service uses, and the key prefix only this test uses.
    pub redis: fred::prelude::Client,
    pub prefix: String,
    pub catalogue: Shared,
    keys: TestKeys,
    schema: String,
    stop: oneshot::Sender<()>,
    server: JoinHandle<anb_votes::Result<()>>,
    _videos_stop: oneshot::Sender<()>,
}

pub async fn start_fresh() -> Running {
    start_tuned(|_| {}).await
}

/// [`start_fresh`] with settings changed by `tune` (rate limits, intervals).
pub async fn start_tuned(tune: impl FnOnce(&mut Config)) -> Running {
    let catalogue = Shared::default();
    let (videos_address, videos_stop) = serve_fake_videos(catalogue.clone()).await;
    let videos_url = format!("http://{videos_address}");
    start_with_videos(&videos_url, catalogue, videos_stop, tune).await
}

/// A service whose videos address answers nothing (a closed port).
pub async fn start_without_videos() -> Running {
    let closed = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("loopback port");
    let address = closed.local_addr().expect("bound address");
    drop(closed);
    let (stop, _) = oneshot::channel();
    start_with_videos(
        &format!("http://{address}"),
        Shared::default(),
        stop,
        |_| {},
    )
    .await
}

/// The Redis named by `ANB_TEST_REDIS_URL`.
fn test_redis_url() -> String {
    std::env::var("ANB_TEST_REDIS_URL").expect(
        "ANB_TEST_REDIS_URL must name a Redis server for the integration tests \
         (deploy/local/test sets it; see deploy/local/lib.sh to start one)",
    )
}

async fn start_with_videos(
    videos_url: &str,
    catalogue: Shared,
    videos_stop: oneshot::Sender<()>,
    tune: impl FnOnce(&mut Config),
) -> Running {
    let url = std::env::var("ANB_TEST_DATABASE_URL").expect(
        "ANB_TEST_DATABASE_URL must name a PostgreSQL database for the integration tests \
         (deploy/local/test sets it; see deploy/local/lib.sh to start one)",
    );
    let schema = format!("votes_t_{}", Uuid::new_v4().simple());
    let db = anb_db::connect(&url, &schema, Duration::from_secs(10))
        .await
        .expect("test database reachable");
    anb_votes::migrate(&db).await.expect("migrations apply");
    let prefix = format!("t{}", Uuid::new_v4().simple());
    let mut config = Config {
        listen_addr: "127.0.0.1:0".parse().expect("valid address"),
        database_url: SecretString::from(url),
        database_schema: schema.clone(),
        database_wait_secs: 10,
        auth_url: "http://127.0.0.1:9".to_owned(),
        videos_url: videos_url.to_owned(),
        redis_url: test_redis_url(),
        redis_prefix: prefix.clone(),
        reconcile_interval_secs: 60,
        rate_limit_votes: 0,
        rate_limit_window_secs: 60,
        watch_coalesce_ms: 100,
        watch_poll_secs: 5,
        shutdown_grace_secs: 5,
    };
    tune(&mut config);
    let redis = anb_queue::connect(&config.redis_url, Duration::from_secs(10))
        .await
        .expect("test redis reachable");
    let keys = TestKeys::generate();
    let app = App {
        db: db.clone(),
        verifier: Arc::new(keys.verifier()),
        videos: Videos::new(anb_grpc::lazy_channel(videos_url).expect("valid address")),
        redis: redis.clone(),
    };
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("loopback port");
    let address = listener.local_addr().expect("bound address");

    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        anb_votes::run(&config, app, listener, async {
            let _ = stopped.await;
        })
        .await
    });
    let channel = anb_grpc::lazy_channel(&format!("http://{address}")).expect("valid address");

    Running {
        client: VotesServiceClient::new(channel),
        db,
        redis,
        prefix,
        catalogue,
        keys,
        schema,
        stop,
        server,
        _videos_stop: videos_stop,
    }
}

async fn serve_fake_videos(catalogue: Shared) -> (SocketAddr, oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("loopback port");
    let address = listener.local_addr().expect("bound address");
    let (stop, stopped) = oneshot::channel::<()>();
    let routes = Routes::new(VideosServiceServer::new(FakeVideos(catalogue)));
    tokio::spawn(anb_grpc::serve(listener, routes, &[], async {
        let _ = stopped.await;
    }));
    (address, stop)
}

impl Running {
    /// Stops the server and drops the test's schema.
    pub async fn finish(self) {
        let _ = self.stop.send(());
        let served = tokio::time::timeout(Duration::from_secs(10), self.server)
            .await
            .expect("server stops within 10 s")
            .expect("server task did not panic");
        served.expect("server ran without error");
        drop_redis_keys(&self.redis, &self.prefix).await;
        self.db
            .execute_unprepared(&format!("DROP SCHEMA \"{}\" CASCADE", self.schema))
            .await
            .expect("test schema dropped");
    }

    /// A ranking view over the service's database and Redis keys, as a second replica
    /// would hold it.
    pub fn view(&self) -> RankingView {
        RankingView::new(
            self.db.clone(),
            RankingCache::new(self.redis.clone(), &self.prefix),
        )
    }

    /// Brings the Redis view up to date with rows written behind the service's back.
    pub async fn sync_view(&self) {
        anb_votes::reconcile::reconcile_once(&self.view())
            .await
            .expect("ranking view reconciled");
    }

    /// `message` with `user`'s bearer token.
    pub fn as_user<T>(&self, user: Uuid, message: T) -> Request<T> {
        let mut request = Request::new(message);
        let bearer = format!("Bearer {}", self.keys.token(user));
        request
            .metadata_mut()
            .insert("authorization", bearer.parse().expect("ASCII token"));
        request
    }

    /// `count` votes for `video`, each by a new user, through CastVote.
    pub async fn cast_by_new_users(&self, video: Uuid, count: usize) {
        for _ in 0..count {
            let request = self.as_user(
                Uuid::now_v7(),
                CastVoteRequest {
                    video_id: video.to_string(),
                },
            );
            self.client
                .clone()
                .cast_vote(request)
                .await
                .expect("vote accepted");
        }
    }

    /// The bearer credential a request of `user` would carry.
    pub fn bearer(&self, user: Uuid) -> String {
        format!("Bearer {}", self.keys.token(user))
    }

    /// Makes the videos double know `video`.
    pub fn add_video(&self, video: VotableVideo) {
        let mut catalogue = self.catalogue.lock().expect("catalogue lock");
        catalogue.videos.insert(video.video_id.clone(), video);
    }

    /// The `authorization` metadata of every GetVotableVideo call so far.
    pub fn forwarded_authorization(&self) -> Vec<Option<String>> {
        self.catalogue
            .lock()
            .expect("catalogue lock")
            .authorization
            .clone()
    }

    /// Records a vote of `user` for `video` through the entity, with a placeholder owner.
    pub async fn insert_vote(&self, user: Uuid, video: Uuid) -> Result<vote::Model, DbErr> {
        let owner = Owner {
            id: Uuid::nil(),
            name: "Test Owner",
            city: "Nowhere",
        };
        self.insert_vote_for(user, video, &owner).await
    }

    /// Records a vote of `user` for `owner`'s `video` through the entity.
    pub async fn insert_vote_for(
        &self,
        user: Uuid,
        video: Uuid,
        owner: &Owner<'_>,
    ) -> Result<vote::Model, DbErr> {
        let row = vote::ActiveModel {
            id: Set(VoteId::generate()),
            user_id: Set(UserId(user)),
            video_id: Set(VideoId(video)),
            created_at: Set(chrono::Utc::now()),
            owner_id: Set(UserId(owner.id)),
            owner_name: Set(owner.name.to_owned()),
            owner_city: Set(owner.city.to_owned()),
            owner_city_key: Set(anb_votes::city::fold(owner.city)),
        }
        .insert(&self.db)
        .await?;
        // The row skipped the service, so its Redis view learns of it from the reconciler.
        self.sync_view().await;
        Ok(row)
    }
}

async fn drop_redis_keys(redis: &fred::prelude::Client, prefix: &str) {
    use fred::prelude::{ClientLike as _, KeysInterface as _};

    let pattern = format!("{prefix}:*");
    let keys: Vec<String> = redis
        .custom(fred::cmd!("KEYS"), vec![pattern])
        .await
        .expect("test keys listed");
    if !keys.is_empty() {
        let _: i64 = redis.del(keys).await.expect("test keys removed");
    }
}

/// A video owner as stored on the vote rows.
pub struct Owner<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub city: &'a str,
}

/// Signs access tokens the way `auth` does, with a key only this test knows.
struct TestKeys {
    encoding: EncodingKey,
    public: PublicKey,
}

impl TestKeys {
    fn generate() -> Self {
        let signing = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
        let der = signing
            .to_pkcs8_der()
            .expect("an Ed25519 key encodes as PKCS#8");
        Self {
            encoding: EncodingKey::from_ed_der(der.as_bytes()),
            public: PublicKey {
                kid: KID.to_owned(),
                algorithm: "EdDSA".to_owned(),
                x: URL_SAFE_NO_PAD.encode(signing.verifying_key().to_bytes()),
            },
        }
    }

    fn verifier(&self) -> TokenVerifier {
        TokenVerifier::from_keys(std::slice::from_ref(&self.public)).expect("valid test key")
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
        jsonwebtoken::encode(&header, &claims, &self.encoding).expect("an Ed25519 key signs")
    }
}
