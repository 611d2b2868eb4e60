use std::process::ExitCode;

use anb_votes::{Cli, Command, Config};
use anyhow::Context as _;
use clap::Parser as _;
use secrecy::ExposeSecret as _;
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
        eprintln!("anb-votes: invalid configuration: {err}");
        return ExitCode::from(EXIT_CONFIG);
    }
    let telemetry = match anb_telemetry::init("anb-votes") {
        Ok(guard) => guard,
        Err(err) => {
            eprintln!("anb-votes: cannot start telemetry: {err:#}");
            return ExitCode::FAILURE;
        }
    };

    let command = cli.command.unwrap_or(Command::Serve);
    let outcome = execute(command, &cli.config).await;
    if let Err(err) = &outcome {
        tracing::error!(error = format!("{err:#}"), "anb-votes stopped on an error");
    }
    telemetry.shutdown().await;
    if outcome.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

async fn execute(command: Command, config: &Config) -> anyhow::Result<()> {
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

    let listener = TcpListener::bind(config.listen_addr)
        .await
        .with_context(|| format!("binding {}", config.listen_addr))?;
    tracing::info!(address = %config.listen_addr, version = env!("CARGO_PKG_VERSION"), "anb-votes serving");
    anb_votes::run(config, db, listener, anb_telemetry::shutdown_signal()).await?;
    tracing::info!("shutdown complete");
    Ok(())
}
