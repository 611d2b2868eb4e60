use std::process::ExitCode;

use anb_gateway::{App, Cli, Config};
use anyhow::Context as _;
use tokio::net::TcpListener;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SERVICE: &str = "anb-gateway";
/// How long start-up keeps retrying an unreachable Redis.
const REDIS_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match anb_runtime::parse_cli::<Cli>() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    if let Err(err) = cli.config.validate() {
        return anb_runtime::invalid_config(SERVICE, err);
    }

    anb_runtime::run(SERVICE, serve(&cli.config, cli.metrics_addr)).await
}

async fn serve(config: &Config, metrics_addr: std::net::SocketAddr) -> anyhow::Result<()> {
    let redis = anb_queue::connect(&config.redis_url, REDIS_WAIT)
        .await
        .context("connecting to redis")?;
    let app = App::with_revocations(config, redis)?;
    anb_metrics::start(metrics_addr, None)
        .await
        .with_context(|| format!("binding metrics {metrics_addr}"))?;
    let listener = TcpListener::bind(config.listen_addr)
        .await
        .with_context(|| format!("binding {}", config.listen_addr))?;
    tracing::info!(
        address = %config.listen_addr,
        version = env!("CARGO_PKG_VERSION"),
        "anb-gateway serving"
    );

    anb_gateway::run(app, listener, anb_telemetry::shutdown_signal()).await?;
    tracing::info!("shutdown complete");
    Ok(())
}
