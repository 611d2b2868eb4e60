use std::{path::PathBuf, time::Duration};

use anb_auth::{App, Config};
use anb_proto::auth::v1::{
    LogInRequest, SignUpRequest, User, auth_service_client::AuthServiceClient,
};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use secrecy::SecretString;
use tempfile::TempDir;
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use tonic::{Status, transport::Channel};

pub const PASSWORD: &str = "StrongPass123";

/// What survives a restart: the database schema, the Redis key prefix and the signing key
/// file.
pub struct Setup {
    pub schema: String,
    pub redis_prefix: String,
    pub key_file: PathBuf,
    _key_dir: TempDir,
}

impl Setup {
    pub fn fresh() -> Self {
        let key_dir = tempfile::tempdir().expect("temporary folder for the signing key");
        let unique = uuid::Uuid::new_v4().simple();
        Self {
            schema: format!("auth_t_{unique}"),
            redis_prefix: format!("anb_t_{unique}"),
            key_file: key_dir.path().join("secrets/signing-key.pem"),
            _key_dir: key_dir,
        }
    }
}

/// A running auth service and a client connected to it.
pub struct Running {
    pub client: AuthServiceClient<Channel>,
    pub channel: Channel,
    pub db: DatabaseConnection,
    pub redis: fred::prelude::Client,
    setup: Setup,
    stop: oneshot::Sender<()>,
    server: JoinHandle<anb_auth::Result<()>>,
}

fn database_url() -> String {
    std::env::var("ANB_TEST_DATABASE_URL").expect(
        "ANB_TEST_DATABASE_URL must name a PostgreSQL database for the integration tests \
         (deploy/local/test sets it; see deploy/local/lib.sh to start one)",
    )
}

pub async fn redis() -> fred::prelude::Client {
    let url = std::env::var("ANB_TEST_REDIS_URL").expect(
        "ANB_TEST_REDIS_URL must name a Redis server for the integration tests \
         (deploy/local/test sets it; see deploy/local/lib.sh to start one)",
    );
    anb_queue::connect(&url, Duration::from_secs(10))
        .await
        .expect("test Redis reachable")
}

pub async fn start_fresh() -> Running {
    start(Setup::fresh()).await
}

pub async fn start(setup: Setup) -> Running {
    start_with(setup, |_| {}).await
}

/// Starts the service after `adjust` changed its configuration (e.g. throttling limits).
pub async fn start_with(setup: Setup, adjust: impl FnOnce(&mut Config)) -> Running {
    let url = database_url();
    let db = anb_db::connect(&url, &setup.schema, Duration::from_secs(10))
        .await
        .expect("test database reachable");
    anb_auth::migrate(&db).await.expect("migrations apply");
    let mut config = Config {
        listen_addr: "127.0.0.1:0".parse().expect("valid address"),
        database_url: SecretString::from(url),
        database_schema: setup.schema.clone(),
        database_wait_secs: 10,
        signing_key_file: Some(setup.key_file.clone()),
        generate_signing_key: true,
        token_ttl_secs: 3600,
        redis_url: std::env::var("ANB_TEST_REDIS_URL").unwrap_or_default(),
        redis_prefix: setup.redis_prefix.clone(),
        login_max_account_failures: 5,
        login_account_window_secs: 900,
        login_max_address_failures: 30,
        login_address_window_secs: 300,
        shutdown_grace_secs: 5,
    };
    adjust(&mut config);
    let redis = redis().await;
    let app = App::new(&config, db.clone(), redis.clone())
        .await
        .expect("service starts");
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("loopback port");
    let address = listener.local_addr().expect("bound address");

    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(anb_auth::run(app, listener, async {
        let _ = stopped.await;
    }));
    let channel = anb_grpc::lazy_channel(&format!("http://{address}")).expect("valid address");

    Running {
        client: AuthServiceClient::new(channel.clone()),
        channel,
        db,
        redis,
        setup,
        stop,
        server,
    }
}

impl Running {
    /// Stops the server and waits for it, keeping what a restart needs.
    pub async fn stop(self) -> Setup {
        let _ = self.stop.send(());
        let served = tokio::time::timeout(Duration::from_secs(10), self.server)
            .await
            .expect("server stops within 10 s")
            .expect("server task did not panic");
        served.expect("server ran without error");
        self.setup
    }

    /// Stops the server and drops the test's schema.
    pub async fn finish(self) {
        let db = self.db.clone();
        let setup = self.stop().await;
        db.execute_unprepared(&format!("DROP SCHEMA \"{}\" CASCADE", setup.schema))
            .await
            .expect("test schema dropped");
    }

    pub fn key_prefix(&self) -> &str {
        &self.setup.redis_prefix
    }

    pub fn key_file(&self) -> &std::path::Path {
        &self.setup.key_file
    }

    pub async fn sign_up(&mut self, email: &str) -> User {
        self.client
            .sign_up(sign_up_request(email))
            .await
            .expect("sign-up succeeds")
            .into_inner()
            .user
            .expect("sign-up returns the user")
    }

    pub async fn log_in(&mut self, email: &str, password: &str) -> Result<String, Status> {
        let request = LogInRequest {
            email: email.to_owned(),
            password: password.to_owned(),
        };
        Ok(self.client.log_in(request).await?.into_inner().access_token)
    }
}

pub fn sign_up_request(email: &str) -> SignUpRequest {
    SignUpRequest {
        first_name: "Ana".to_owned(),
        last_name: "Pérez".to_owned(),
        email: email.to_owned(),
        password1: PASSWORD.to_owned(),
        password2: PASSWORD.to_owned(),
        city: "Bogotá".to_owned(),
        country: "Colombia".to_owned(),
    }
}

pub fn unique_email() -> String {
    format!("player.{}@example.com", uuid::Uuid::new_v4().simple())
}

pub fn with_bearer<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("tokens are ASCII"),
    );
    request
}
