use std::{process::ExitCode, time::Duration};

use anb_transcoder::{App, Cli, Command, Config};
use anyhow::Context as _;
use clap::Parser as _;
use tokio::net::TcpListener;

/// `EX_USAGE`: the configuration cannot work.
const EXIT_CONFIG: u8 = 64;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(EXIT_CONFIG)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let Command::Serve = cli.command.unwrap_or(Command::Serve);
    if let Err(err) = cli.config.validate() {
        eprintln!("anb-transcoder: invalid configuration: {err}");
        return ExitCode::from(EXIT_CONFIG);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("anb-transcoder: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(serve(&cli.config));
    // A transcode abandoned at shutdown keeps its blocking thread busy; its job is already
    // back in the queue, so do not wait for it.
    runtime.shutdown_timeout(Duration::from_secs(1));
    code
}

async fn serve(config: &Config) -> ExitCode {
    let telemetry = match anb_telemetry::init("anb-transcoder") {
        Ok(guard) => guard,
        Err(err) => {
            eprintln!("anb-transcoder: cannot start telemetry: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = start(config).await;
    if let Err(err) = &outcome {
        tracing::error!(
            error = format!("{err:#}"),
            "anb-transcoder stopped on an error"
        );
    }
    telemetry.shutdown().await;
    if outcome.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

async fn start(config: &Config) -> anyhow::Result<()> {
    let app = App::connect(config)
        .await
        .context("starting the transcoder")?;
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
