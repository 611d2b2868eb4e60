use std::{net::SocketAddr, process::ExitCode};

use anb_auth::{App, Cli, Command, Config};
use anyhow::Context as _;
use secrecy::ExposeSecret as _;
use tokio::net::TcpListener;

const SERVICE: &str = "anb-auth";

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match anb_runtime::parse_cli::<Cli>() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let command = cli.command.unwrap_or(Command::Serve);
    if let Err(err) = cli.config.validate(command) {
        return anb_runtime::invalid_config(SERVICE, err);
    }

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
        anb_auth::migrate(&db)
            .await
            .context("migrating the auth schema")?;
        tracing::info!(schema = %config.database_schema, "migrations applied");
        return Ok(());
    }

    let redis = anb_queue::connect(&config.redis_url, config.database_wait())
        .await
        .context("connecting to redis")?;
    let app = App::new(config, db, redis).await?;
    anb_metrics::start(metrics_addr, None)
        .await
        .with_context(|| format!("binding metrics {metrics_addr}"))?;
    let listener = TcpListener::bind(config.listen_addr)
        .await
        .with_context(|| format!("binding {}", config.listen_addr))?;
    tracing::info!(address = %config.listen_addr, version = env!("CARGO_PKG_VERSION"), "anb-auth serving");
    anb_auth::run(app, listener, anb_telemetry::shutdown_signal()).await?;
    tracing::info!("shutdown complete");
    Ok(())
}
