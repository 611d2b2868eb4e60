use std::{net::SocketAddr, process::ExitCode, sync::Arc};

use anb_identity::TokenVerifier;
use anb_votes::{App, Cli, Command, Config, Videos};
use anyhow::Context as _;
use secrecy::ExposeSecret as _;
use tokio::net::TcpListener;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SERVICE: &str = "anb-votes";

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match anb_runtime::parse_cli::<Cli>() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    if let Err(err) = cli.config.validate() {
        return anb_runtime::invalid_config(SERVICE, err);
    }

    let command = cli.command.unwrap_or(Command::Serve);
    anb_runtime::run(SERVICE, execute(command, &cli.config, cli.metrics_addr)).await
}

async fn execute(
    command: Command,
    config: &Config,
    metrics_addr: SocketAddr,
) -> anyhow::Result<()> {
    let url = config.database_url.expose_secret();
    let db = anb_db::connect(url, &config.database_schema, config.database_wait())
        .await
        .context("connecting to the database")?;

    if command == Command::Migrate {
        anb_votes::migrate(&db)
            .await
            .context("migrating the votes schema")?;
        tracing::info!(schema = %config.database_schema, "migrations applied");
        return Ok(());
    }

    let auth = anb_grpc::lazy_channel(&config.auth_url).context("VOTES_AUTH_URL")?;
    let videos = anb_grpc::lazy_channel(&config.videos_url).context("VOTES_VIDEOS_URL")?;
    let redis = anb_queue::connect(&config.redis_url, config.database_wait())
        .await
        .context("connecting to redis")?;
    let verifier =
        TokenVerifier::from_auth(auth).with_revocations(redis.clone(), &config.redis_prefix);
    let app = App {
        db,
        verifier: Arc::new(verifier),
        videos: Videos::new(videos),
        redis,
    };

    anb_metrics::start(metrics_addr, None)
        .await
        .with_context(|| format!("binding metrics {metrics_addr}"))?;
    let listener = TcpListener::bind(config.listen_addr)
        .await
        .with_context(|| format!("binding {}", config.listen_addr))?;
    tracing::info!(address = %config.listen_addr, version = env!("CARGO_PKG_VERSION"), "anb-votes serving");
    anb_votes::run(config, app, listener, anb_telemetry::shutdown_signal()).await?;
    tracing::info!("shutdown complete");
    Ok(())
}
