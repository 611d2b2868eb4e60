use std::{process::ExitCode, time::Duration};

use anb_transcoder::{App, Cli, Command, Config};
use anyhow::Context as _;
use tokio::net::TcpListener;

const SERVICE: &str = "anb-transcoder";

/// jemalloc for every allocation of the process, the C libraries' included, returning freed
/// pages at once (the workspace `Cargo.toml` and `.cargo/config.toml`): under glibc malloc
/// the freed buffers of each job's decoder and encoder threads stayed resident, and a
/// worker grew by a quarter to a half over 50 jobs.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = match anb_runtime::parse_cli::<Cli>() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let Command::Serve = cli.command.unwrap_or(Command::Serve);
    if let Err(err) = cli.config.validate() {
        return anb_runtime::invalid_config(SERVICE, err);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("{SERVICE}: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };

    let code = runtime.block_on(anb_runtime::run(
        SERVICE,
        start(&cli.config, cli.metrics_addr),
    ));
    // A transcode abandoned at shutdown keeps its blocking thread busy; its job is already
    // back in the queue, so do not wait for it.
    runtime.shutdown_timeout(Duration::from_secs(1));
    code
}

async fn start(config: &Config, metrics_addr: std::net::SocketAddr) -> anyhow::Result<()> {
    let app = App::connect(config)
        .await
        .context("starting the transcoder")?;
    anb_metrics::start(metrics_addr, Some(app.metrics_refresh()))
        .await
        .with_context(|| format!("binding metrics {metrics_addr}"))?;
    let listener = TcpListener::bind(config.listen_addr)
        .await
        .with_context(|| format!("binding {}", config.listen_addr))?;
    tracing::info!(
        address = %config.listen_addr,
        consumer = %config.consumer(),
        version = env!("CARGO_PKG_VERSION"),
        "anb-transcoder serving"
    );
    anb_transcoder::run(app, listener, anb_telemetry::shutdown_signal()).await?;
    tracing::info!("shutdown complete");
    Ok(())
}
