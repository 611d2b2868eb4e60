//! A gateway wired to the fakes, test tokens, and request helpers.

use std::time::{SystemTime, UNIX_EPOCH};

use anb_gateway::{App, Config};
use anb_identity::{AUDIENCE, Claims, ISSUER, TokenVerifier};
use anb_proto::auth::v1::PublicKey;
use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Request, StatusCode, header},
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use ed25519_dalek::pkcs8::EncodePrivateKey as _;
use http_body_util::BodyExt as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::SecretString;
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt as _;
use uuid::Uuid;

use crate::fakes::{self, Record, Served};

pub const MEDIA_SECRET: &str = "test-media-secret-0123456789";
pub const USER_ID: &str = "8d7f0f5e-4c1b-4f3e-9a55-1f2e3d4c5b6a";
/// The fake videos service refuses uploads larger than this with OUT_OF_RANGE.
pub const VIDEOS_MAX_UPLOAD: u64 = 4 * 1024 * 1024;

/// The services behind the gateway.
pub struct Mesh {
    pub auth: Served,
    pub videos: Served,
    pub votes: Served,
    pub transcoder: Served,
    pub record: Record,
}

impl Mesh {
    /// The fakes, with videos refusing uploads over `videos_max_upload` bytes.
    pub async fn start(videos_max_upload: u64) -> Self {
        let record = Record::default();
        Self {
            auth: fakes::serve_auth().await,
            videos: fakes::serve_videos(record.clone(), videos_max_upload).await,
            votes: fakes::serve_votes(record.clone()).await,
            transcoder: fakes::serve_transcoder().await,
            record,
        }
    }
}

/// Signs access tokens the gateway's verifier accepts.
pub struct TestKeys {
    encoding: EncodingKey,
    public: PublicKey,
}

impl TestKeys {
    pub fn generate() -> Self {
        let signing = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
        let der = signing
            .to_pkcs8_der()
            .expect("an Ed25519 key encodes as PKCS#8");
        let public = PublicKey {
            kid: "test-key".to_owned(),
            algorithm: "EdDSA".to_owned(),
            x: URL_SAFE_NO_PAD.encode(signing.verifying_key().to_bytes()),
        };
        Self {
            encoding: EncodingKey::from_ed_der(der.as_bytes()),
            public,
        }
    }

    pub fn verifier(&self) -> TokenVerifier {
        TokenVerifier::from_keys(std::slice::from_ref(&self.public)).expect("valid test key")
    }

    /// A token for [`USER_ID`] that expires `expires_in` seconds from now.
    pub fn token(&self, expires_in: i64) -> String {
        let now = unix_now();
        let claims = Claims {
            sub: USER_ID.to_owned(),
            jti: Uuid::new_v4().to_string(),
            iat: now.min(now + expires_in),
            nbf: now.min(now + expires_in),
            exp: now + expires_in,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.public.kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.encoding).expect("token signs")
    }
}

pub fn unix_now() -> i64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970");
    i64::try_from(now.as_secs()).expect("seconds fit i64")
}

/// A gateway in front of a [`Mesh`], with its own storage folder.
pub struct Gateway {
    pub router: Router,
    pub mesh: Mesh,
    pub keys: TestKeys,
    pub storage: TempDir,
    pub config: Config,
}

pub fn config(mesh: &Mesh, storage: &TempDir) -> Config {
    Config {
        listen_addr: "127.0.0.1:0".parse().expect("valid address"),
        auth_url: mesh.auth.url(),
        videos_url: mesh.videos.url(),
        votes_url: mesh.votes.url(),
        transcoder_url: mesh.transcoder.url(),
        redis_url: "redis://127.0.0.1:6379".to_owned(),
        redis_prefix: "anb".to_owned(),
        storage_root: storage.path().to_owned(),
        media_url_secret: SecretString::from(MEDIA_SECRET),
        max_upload_bytes: 100 * 1024 * 1024,
        request_timeout_secs: 10,
        upload_timeout_secs: 60,
        shutdown_grace_secs: 2,
        // Tests change the fake's rankings between reads; `rankings_cache.rs` tests keeping.
        rankings_keep_ms: 0,
        web_root: None,
    }
}

impl Gateway {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::start_full(VIDEOS_MAX_UPLOAD, adjust).await
    }

    pub async fn start_full(videos_max_upload: u64, adjust: impl FnOnce(&mut Config)) -> Self {
        let mesh = Mesh::start(videos_max_upload).await;
        let storage = tempfile::tempdir().expect("temporary storage root");
        let mut config = config(&mesh, &storage);
        adjust(&mut config);
        let keys = TestKeys::generate();
        let app = App::with_verifier(&config, keys.verifier()).expect("valid test config");
        Self {
            router: app.router(),
            mesh,
            keys,
            storage,
            config,
        }
    }

    pub fn app(&self) -> App {
        App::with_verifier(&self.config, self.keys.verifier()).expect("valid test config")
    }

    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.keys.token(3600))
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router is infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body reads")
            .to_bytes();
        Reply {
            status,
            headers,
            body: body.to_vec(),
        }
    }

    pub async fn get(&self, uri: &str) -> Reply {
        let request = Request::get(uri).header(header::AUTHORIZATION, self.bearer());
        self.send(request.body(Body::empty()).expect("valid request"))
            .await
    }

    pub async fn post_json(&self, uri: &str, body: Value) -> Reply {
        let request = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("valid request");
        self.send(request).await
    }

    /// The uploads the fake videos service received, once `count` have ended (bounded wait).
    pub async fn uploads(&self, count: usize) -> Vec<fakes::ReceivedUpload> {
        for _ in 0..200 {
            let uploads = self
                .mesh
                .record
                .lock()
                .expect("record lock")
                .uploads
                .clone();
            if uploads.len() >= count {
                return uploads;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("videos did not see {count} upload(s) end within 2 s");
    }

    /// The `authorization` values the fakes received, in order.
    pub fn forwarded_authorization(&self) -> Vec<Option<String>> {
        self.mesh
            .record
            .lock()
            .expect("record lock")
            .authorization
            .clone()
    }

    /// The gallery queries the fake videos service received, in order.
    pub fn public_queries(&self) -> Vec<anb_proto::videos::v1::ListPublicVideosRequest> {
        self.mesh
            .record
            .lock()
            .expect("record lock")
            .public_queries
            .clone()
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| {
            panic!(
                "body is not JSON ({err}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Status and the `code` of an error body.
    pub fn error_code(&self) -> (StatusCode, String) {
        let body = self.json();
        assert!(
            body["error"].is_string(),
            "error bodies carry a message: {body}"
        );
        (
            self.status,
            body["code"]
                .as_str()
                .expect("error bodies carry a code")
                .to_owned(),
        )
    }
}
