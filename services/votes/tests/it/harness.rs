use std::time::Duration;

use anb_proto::votes::v1::votes_service_client::VotesServiceClient;
use anb_votes::{
    Config,
    db::vote,
    ids::{UserId, VideoId, VoteId},
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, DbErr};
use secrecy::SecretString;
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use tonic::transport::Channel;
use uuid::Uuid;

/// A running votes service in its own schema, and a client connected to it.
pub struct Running {
    pub client: VotesServiceClient<Channel>,
    pub db: DatabaseConnection,
    schema: String,
    stop: oneshot::Sender<()>,
    server: JoinHandle<anb_votes::Result<()>>,
}

pub async fn start_fresh() -> Running {
    let url = std::env::var("ANB_TEST_DATABASE_URL").expect(
        "ANB_TEST_DATABASE_URL must name a PostgreSQL database for the integration tests \
         (deploy/local/test sets it; see deploy/local/lib.sh to start one)",
    );
    let schema = format!("votes_t_{}", Uuid::new_v4().simple());
    let db = anb_db::connect(&url, &schema, Duration::from_secs(10))
        .await
        .expect("test database reachable");
    anb_votes::migrate(&db).await.expect("migrations apply");
    let config = Config {
        listen_addr: "127.0.0.1:0".parse().expect("valid address"),
        database_url: SecretString::from(url),
        database_schema: schema.clone(),
        database_wait_secs: 10,
        shutdown_grace_secs: 5,
    };
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("loopback port");
    let address = listener.local_addr().expect("bound address");

    let (stop, stopped) = oneshot::channel::<()>();
    let server_db = db.clone();
    let server = tokio::spawn(async move {
        anb_votes::run(&config, server_db, listener, async {
            let _ = stopped.await;
        })
        .await
    });
    let channel = anb_grpc::lazy_channel(&format!("http://{address}")).expect("valid address");

    Running {
        client: VotesServiceClient::new(channel),
        db,
        schema,
        stop,
        server,
    }
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
        self.db
            .execute_unprepared(&format!("DROP SCHEMA \"{}\" CASCADE", self.schema))
            .await
            .expect("test schema dropped");
    }

    /// Records a vote of `user` for `video` through the entity.
    pub async fn insert_vote(&self, user: Uuid, video: Uuid) -> Result<vote::Model, DbErr> {
        vote::ActiveModel {
            id: Set(VoteId::generate()),
            user_id: Set(UserId(user)),
            video_id: Set(VideoId(video)),
            created_at: Set(chrono::Utc::now()),
        }
        .insert(&self.db)
        .await
    }
}
