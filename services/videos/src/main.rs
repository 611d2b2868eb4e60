use std::{process::ExitCode, sync::Arc};

use anb_identity::TokenVerifier;
use anb_proto::auth::v1::auth_service_client::AuthServiceClient;
use anb_storage::{Storage, UrlSigner};
use anb_videos::{App, Command, Config};
use secrecy::ExposeSecret;
use std::time::Duration;

const SERVICE: &str = "anb-videos";

#[tokio::main]
async fn main() -> ExitCode {
    let config = match anb_runtime::parse_cli::<Config>() {
        Ok(config) => config,
        Err(code) => return code,
    };
    if let Err(err) = config.validate() {
        return anb_runtime::invalid_config(SERVICE, err);
    }

    anb_runtime::run(SERVICE, start(config)).await
}

async fn start(config: Config) -> anyhow::Result<()> {
    let url = config.database_url.expose_secret();
    let db = anb_db::connect(url, &config.database_schema, config.connect_wait()).await?;
    if config.command == Some(Command::Migrate) {
        anb_videos::migrate(&db).await?;
        tracing::info!(schema = %config.database_schema, "migrations applied");
        return Ok(());
    }

    let queue = anb_videos::connect_queue(
        &config.redis_url,
        &config.queue_prefix,
        config.connect_wait(),
    )
    .await?;
    let auth = anb_grpc::lazy_channel(&config.auth_url)?;
    // Log-out revocations live in the same Redis, under the same deployment prefix.
    let verifier = TokenVerifier::from_auth(auth.clone())
        .with_revocations(queue.client().clone(), &config.queue_prefix);
    let secret = config.media_url_secret.expose_secret().as_bytes().to_vec();
    let app = App {
        db,
        storage: Storage::new(&config.storage_root),
        queue,
        signer: UrlSigner::new(secret, Duration::from_secs(config.media_url_ttl_secs)),
        verifier: Arc::new(verifier),
        auth: AuthServiceClient::new(auth),
        policy: config.upload_policy(),
        sweep: config.sweep_settings(),
        shutdown_grace: config.shutdown_grace(),
    };

    anb_metrics::start(config.metrics_addr, None).await?;
    let listener = tokio::net::TcpListener::bind(config.listen_addr).await?;
    anb_videos::run(app, listener, anb_telemetry::shutdown_signal()).await?;
    Ok(())
}
