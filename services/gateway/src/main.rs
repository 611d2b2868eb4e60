use std::process::ExitCode;

use anb_gateway::{App, Cli, Config};
use anyhow::Context as _;
use clap::Parser as _;
use tokio::net::TcpListener;

/// `EX_USAGE`: the configuration cannot work.
const EXIT_CONFIG: u8 = 64;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) if err.use_stderr() => {
            let _ = err.print();
            return ExitCode::from(EXIT_CONFIG);
        }
        Err(help_or_version) => {
            let _ = help_or_version.print();
            return ExitCode::SUCCESS;
        }
    };
    if let Err(err) = cli.config.validate() {
        eprintln!("anb-gateway: invalid configuration: {err}");
        return ExitCode::from(EXIT_CONFIG);
    }
    let telemetry = match anb_telemetry::init("anb-gateway") {
        Ok(guard) => guard,
        Err(err) => {
            eprintln!("anb-gateway: cannot start telemetry: {err:#}");
            return ExitCode::FAILURE;
        }
    };

    let outcome = serve(&cli.config).await;
    if let Err(err) = &outcome {
        tracing::error!(
            error = format!("{err:#}"),
            "anb-gateway stopped on an error"
        );
    }
    telemetry.shutdown().await;
    if outcome.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

async fn serve(config: &Config) -> anyhow::Result<()> {
    let app = App::new(config)?;
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
