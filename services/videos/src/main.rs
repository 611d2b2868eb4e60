use std::{process::ExitCode, sync::Arc};

use anb_identity::TokenVerifier;
use anb_storage::{Storage, UrlSigner};
use anb_videos::{App, Command, Config};
use clap::Parser;
use secrecy::ExposeSecret;
use std::time::Duration;

/// `EX_USAGE`: the configuration is wrong, retrying will not help.
const EXIT_CONFIG: u8 = 64;

#[tokio::main]
async fn main() -> ExitCode {
    let config = match Config::try_parse() {
        Ok(config) => config,
        Err(err) => {
            let _ = err.print();
            // --help and --version are not mistakes.
            let usage = err.use_stderr();
            return if usage {
                ExitCode::from(EXIT_CONFIG)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    if let Err(err) = config.validate() {
        eprintln!("anb-videos: {err}");
        return ExitCode::from(EXIT_CONFIG);
    }
    let telemetry = match anb_telemetry::init("anb-videos") {
        Ok(guard) => guard,
        Err(err) => {
            eprintln!("anb-videos: cannot start telemetry: {err:#}");
            return ExitCode::FAILURE;
        }
    };

    let outcome = start(config).await;
    if let Err(err) = &outcome {
        tracing::error!(error = format!("{err:#}"), "anb-videos stopped");
    }
    telemetry.shutdown().await;
    if outcome.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
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
    let secret = config.media_url_secret.expose_secret().as_bytes().to_vec();
    let app = App {
        db,
        storage: Storage::new(&config.storage_root),
        queue,
        signer: UrlSigner::new(secret, Duration::from_secs(config.media_url_ttl_secs)),
        verifier: Arc::new(TokenVerifier::from_auth(auth)),
        policy: config.upload_policy(),
        sweep: config.sweep_settings(),
        shutdown_grace: config.shutdown_grace(),
    };

    let listener = tokio::net::TcpListener::bind(config.listen_addr).await?;
    anb_videos::run(app, listener, anb_telemetry::shutdown_signal()).await?;
    Ok(())
}
