//! How every ANB binary starts and stops, so each `main.rs` holds only what is its own:
//! parsing the command line with the conventional exit codes, refusing a configuration
//! that cannot work before anything starts, and running the service between telemetry
//! start-up and the final flush.
#![warn(missing_docs)]

use std::{fmt::Display, future::Future, process::ExitCode};

/// `EX_USAGE` from sysexits.h: the command line or configuration cannot work, so a
/// supervisor restarting the process unchanged will not help.
pub const EXIT_USAGE: u8 = 64;

/// Parses the process arguments, and the environment variables `C` declares, into `C`.
///
/// # Errors
/// The code `main` should exit with instead of starting, once clap has printed its text:
/// [`ExitCode::SUCCESS`] after `--help` or `--version`, [`EXIT_USAGE`] after a usage error.
pub fn parse_cli<C: clap::Parser>() -> Result<C, ExitCode> {
    C::try_parse().map_err(|err| {
        // Printing fails only when the stream is already closed; the exit code still tells.
        let _ = err.print();
        exit_code_for(&err)
    })
}

/// `--help` and `--version` end clap's parsing with an "error" that is not a mistake.
fn exit_code_for(err: &clap::Error) -> ExitCode {
    if err.use_stderr() {
        ExitCode::from(EXIT_USAGE)
    } else {
        ExitCode::SUCCESS
    }
}

/// Reports a setting that cannot work as `<service>: invalid configuration: <err>` on
/// stderr, since telemetry is not up yet, and returns [`EXIT_USAGE`] for `main` to exit
/// with.
#[must_use = "main should exit with the returned code"]
pub fn invalid_config(service: &str, err: impl Display) -> ExitCode {
    eprintln!("{service}: invalid configuration: {err}");
    ExitCode::from(EXIT_USAGE)
}

/// Starts telemetry for `service`, runs `work` to completion, logs its error with the whole
/// cause chain, flushes telemetry and returns the exit code: [`ExitCode::SUCCESS`] when
/// `work` succeeded, [`ExitCode::FAILURE`] when it failed or telemetry could not start
/// (reported on stderr, as there is no logger then).
///
/// `work` is not polled before telemetry is up, so everything it logs is exported.
pub async fn run(
    service: &'static str,
    work: impl Future<Output = anyhow::Result<()>>,
) -> ExitCode {
    let telemetry = match anb_telemetry::init(service) {
        Ok(guard) => guard,
        Err(err) => {
            eprintln!("{service}: cannot start telemetry: {err:#}");
            return ExitCode::FAILURE;
        }
    };

    let code = report(service, &work.await);
    telemetry.shutdown().await;
    code
}

/// Logs a failed run once, before telemetry shuts down so the line is exported too.
fn report(service: &str, outcome: &anyhow::Result<()>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = format!("{err:#}"), "{service} stopped on an error");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    /// A stand-in for a service command line.
    #[derive(Debug, Parser)]
    #[command(name = "anb-test", version)]
    struct Cli {
        #[arg(long, default_value_t = 1)]
        workers: u8,
    }

    fn parse_error(args: &[&str]) -> clap::Error {
        Cli::try_parse_from(args).expect_err("these arguments stop parsing")
    }

    #[test]
    fn help_and_version_exit_with_success() {
        let help = exit_code_for(&parse_error(&["anb-test", "--help"]));
        let version = exit_code_for(&parse_error(&["anb-test", "--version"]));

        assert_eq!(help, ExitCode::SUCCESS);
        assert_eq!(version, ExitCode::SUCCESS);
    }

    #[test]
    fn usage_errors_exit_with_ex_usage() {
        let unknown = exit_code_for(&parse_error(&["anb-test", "--colour"]));
        let invalid = exit_code_for(&parse_error(&["anb-test", "--workers", "many"]));

        assert_eq!(unknown, ExitCode::from(EXIT_USAGE));
        assert_eq!(invalid, ExitCode::from(EXIT_USAGE));
    }

    #[test]
    fn invalid_configuration_exits_with_ex_usage() {
        let code = invalid_config("anb-test", "TEST_WORKERS must be at least 1");

        assert_eq!(code, ExitCode::from(EXIT_USAGE));
    }

    #[test]
    fn only_a_failed_run_exits_with_failure() {
        let failed = report("anb-test", &Err(anyhow::anyhow!("binding 127.0.0.1:1")));
        let finished = report("anb-test", &Ok(()));

        assert_eq!(failed, ExitCode::FAILURE);
        assert_eq!(finished, ExitCode::SUCCESS);
    }
}
