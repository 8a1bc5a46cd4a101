//! `outrival`: serves the web app. `outrival --help` lists the configuration.
use std::process::ExitCode;

use server::ai_config::AI_VARIABLES;
use server::config::VARIABLES;
use server::{run_workers, shutdown_signal, telemetry, Application, Config};

/// mimalloc: server-side rendering allocates a lot of small strings; glibc's malloc
/// showed up as a fifth of the dashboard's CPU time under load.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let workers_only = match args.first().map(String::as_str) {
        None | Some("serve") => false,
        Some("worker") => true,
        Some("-h") | Some("--help") | Some("help") => {
            println!(
                "outrival [serve]   start the web server (with JOB_WORKERS job workers)\n\
                 outrival worker    run job workers only (at least one), no web server\n\n\
                 Configuration (environment or .env):"
            );
            for (name, default, meaning) in VARIABLES.iter().chain(AI_VARIABLES) {
                println!("  {name:<28} {meaning} (default {default})");
            }
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            eprintln!("outrival: unknown command \"{other}\"; try outrival --help");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            eprintln!("outrival: .env: {e}");
            return ExitCode::from(2);
        }
    }
    let config = match Config::from_env() {
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
