//! `outrival`: serves the web app. `outrival --help` lists the configuration.
use std::process::ExitCode;

use server::config::{process_vars, Cli, Command, ConfigError};
use server::{run_workers, shutdown_signal, telemetry, Application};

/// mimalloc: server-side rendering allocates a lot of small strings; glibc's malloc
/// showed up as a fifth of the dashboard's CPU time under load.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            eprintln!("outrival: .env: {e}");
            return ExitCode::from(2);
        }
    }
    let cli = match Cli::parse_with(std::env::args_os(), process_vars()) {
        Ok(cli) => cli,
        Err(e) => match ConfigError::from_clap(&e) {
            Some(e) => {
                eprintln!("outrival: configuration error: {e}");
                return ExitCode::from(2);
            }
            // --help, or a mistyped command line: clap prints it and picks the exit code.
            None => e.exit(),
        },
    };
    let workers_only = cli.command == Some(Command::Worker);
    let config = match cli.settings.validate() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("outrival: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("outrival: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        if workers_only {
            return run_workers(config, shutdown_signal()).await;
        }
        let app = Application::build(config).await?;
        app.run_until_stopped(shutdown_signal()).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "outrival stopped with an error");
            eprintln!("outrival: {e:#}");
            ExitCode::FAILURE
        }
    }
}
