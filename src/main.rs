//! The `webhookd` command line: `serve` runs the service, `migrate` applies
//! database migrations and exits.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tracing::{error, info, warn};

use webhookd::config::{CliOverrides, Config, LogFormat};
use webhookd::{App, store, telemetry};

#[derive(Parser)]
#[command(
    name = "webhookd",
    version,
    about = "Reliable webhook delivery over gRPC"
)]
struct Cli {
    /// Path of the YAML config file.
    #[arg(long, global = true, env = "WEBHOOKD_CONFIG")]
    config: Option<String>,
    /// gRPC listen address (overrides server.grpc_addr); port 0 picks a free port.
    #[arg(long, global = true)]
    grpc_addr: Option<SocketAddr>,
    /// HTTP listen address (overrides server.http_addr); port 0 picks a free port.
    #[arg(long, global = true)]
    http_addr: Option<SocketAddr>,
    /// Database URL (overrides database.url), e.g. sqlite://webhookd.db.
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Log format (overrides logging.format).
    #[arg(long, global = true, value_enum)]
    log_format: Option<LogFormat>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service: gRPC API, HTTP probes and the delivery scheduler.
    Serve,
    /// Apply database migrations and exit.
    Migrate,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Reads `FAILPOINTS` in builds with the `failpoints` feature; inert otherwise.
    let _failpoints = fail::FailScenario::setup();
    let overrides = CliOverrides {
        grpc_addr: cli.grpc_addr,
        http_addr: cli.http_addr,
        database_url: cli.database_url.clone(),
        log_format: cli.log_format,
    };
    let config = match Config::load_file(cli.config.as_deref(), &overrides) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("webhookd: {e}");
            return ExitCode::from(2);
        }
    };
    let ansi = std::io::stderr().is_terminal();
    telemetry::init(
        config.logging.format,
        &config.logging.level,
        ansi,
        std::io::stderr,
    );
    for key in config.placeholder_secrets() {
        warn!(
            key,
            "SECRET IS STILL THE PLACEHOLDER FROM config.example.yaml: anyone can forge signatures; set a real secret before production"
        );
    }

    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("webhookd: failed to start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve => serve(config).await,
            Command::Migrate => migrate(config).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            error!(error.cause_chain = ?e, "{e:#}");
            eprintln!("webhookd: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = App::build(config).await?;
    app.run_until(shutdown_signal()).await
}

async fn migrate(config: Config) -> anyhow::Result<()> {
    let store = store::connect(&config.database)
        .await
        .context("failed to open the database")?;
    store.migrate().await.context("failed to run migrations")?;
    info!(database = %store::redact_url(&config.database.url), "migrations applied");
    Ok(())
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            error!(error.message = %e, "failed to listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                error!(error.message = %e, "failed to listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => info!("received SIGINT"),
        _ = terminate => info!("received SIGTERM"),
    }
}
