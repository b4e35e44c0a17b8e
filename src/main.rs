//! The `webhookd` command line: `serve` runs the service, `migrate` applies
//! database migrations and exits, `check-receiver` checks that a receiver
//! verifies signatures.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use secrecy::SecretString;
use tracing::{error, info, warn};

use webhookd::config::{
    CliOverrides, Config, ConfigError, DatabaseConfig, LogFormat, TelemetryConfig,
};
use webhookd::delivery::http_client::{ReceiverTls, read_ca_file};
use webhookd::domain::SignatureScheme;
use webhookd::{App, check, store, telemetry};

/// Exit code of a start refused for the operator to fix: invalid config, or
/// a database another process is serving.
const EXIT_REFUSED: u8 = 2;

#[derive(Parser)]
#[command(
    name = "webhookd",
    version,
    about = "Reliable webhook delivery over gRPC"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service: gRPC API, HTTP probes and the delivery scheduler.
    Serve(ServeArgs),
    /// Apply database migrations and exit. Needs only the database URL.
    Migrate(MigrateArgs),
    /// Check that a receiver verifies signatures: send it a valid, a
    /// tampered, a stale, a rotated-secret and another secret's delivery,
    /// and report which it accepted. Exit 0 when it accepts and rejects
    /// each as it should, 1 when not.
    CheckReceiver(CheckReceiverArgs),
}

#[derive(Args)]
struct CheckReceiverArgs {
    /// The receiver's URL, e.g. http://127.0.0.1:9000/webhook.
    url: String,
    /// The endpoint secret the receiver verifies with (`whsec_…` or
    /// `whsk_…` with `--scheme standard`).
    #[arg(long, env = "WEBHOOKD_CHECK_SECRET", hide_env_values = true)]
    secret: String,
    /// The endpoint's signature scheme.
    #[arg(long, value_enum, default_value_t = SchemeArg::Webhookd)]
    scheme: SchemeArg,
    /// How long to wait for each answer, in seconds.
    #[arg(long, default_value_t = 10.0)]
    timeout_seconds: f64,
    /// PEM CA certificates to trust for an HTTPS receiver behind a private CA.
    #[arg(long)]
    ca_file: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum SchemeArg {
    /// X-Webhook-* headers, `sha256=` HMAC signatures.
    Webhookd,
    /// Standard Webhooks: webhook-* headers, `v1,` HMAC or `v1a,` ed25519.
    Standard,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// gRPC listen address (overrides server.grpc_addr); port 0 picks a free port.
    #[arg(long)]
    grpc_addr: Option<SocketAddr>,
    /// HTTP listen address (overrides server.http_addr); port 0 picks a free port.
    #[arg(long)]
    http_addr: Option<SocketAddr>,
}

#[derive(Args)]
struct MigrateArgs {
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Args)]
struct CommonArgs {
    /// Path of the YAML config file.
    #[arg(long, env = "WEBHOOKD_CONFIG")]
    config: Option<String>,
    /// Database URL (overrides database.url), e.g. sqlite://webhookd.db.
    #[arg(long)]
    database_url: Option<String>,
    /// Log format (overrides logging.format).
    #[arg(long, value_enum)]
    log_format: Option<LogFormat>,
}

/// glibc's allocator cost about an eighth of webhookd's CPU at a steady
/// rate (`perf`: `_int_malloc`, `malloc_consolidate`, `_int_free`), from
/// the many short-lived buffers of requests, statements and rows.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Reads `FAILPOINTS`; only builds with the `failpoints` feature have any.
    #[cfg(feature = "failpoints")]
    let _failpoints = fail::FailScenario::setup();
    let result = match cli.command {
        Command::Serve(args) => {
            let overrides = CliOverrides {
                grpc_addr: args.grpc_addr,
                http_addr: args.http_addr,
                database_url: args.common.database_url.clone(),
                log_format: args.common.log_format,
            };
            let config = match Config::load_file(args.common.config.as_deref(), &overrides) {
                Ok(config) => config,
                Err(e) => return refused(&e.into()),
            };
            let cores = std::thread::available_parallelism().map_or(1, usize::from);
            let threads = config
                .server
                .runtime_threads(config.database.is_sqlite(), cores);
            let Some(runtime) = runtime(Some(threads)) else {
                return ExitCode::FAILURE;
            };
            // The OTLP exporter's channel lives on the runtime.
            let _runtime = runtime.enter();
            let telemetry = match init_telemetry(
                config.logging.format,
                &config.logging.level,
                &config.telemetry,
            ) {
                Ok(guard) => guard,
                Err(e) => return refused(&e),
            };
            for key in config.placeholder_secrets() {
                warn!(
                    key,
                    "SECRET IS STILL THE PLACEHOLDER FROM config.example.yaml: anyone can forge signatures; set a real secret before production"
                );
            }
            runtime.block_on(async {
                let served = serve(config).await;
                // The last spans are flushed while this thread still runs
                // the runtime: a runtime of one thread runs the
                // exporter's gRPC channel only inside `block_on`.
                let _ = tokio::task::spawn_blocking(move || drop(telemetry)).await;
                served
            })
        }
        Command::Migrate(args) => {
            let Some(runtime) = runtime(None) else {
                return ExitCode::FAILURE;
            };
            let overrides = CliOverrides {
                database_url: args.common.database_url.clone(),
                ..CliOverrides::default()
            };
            let database =
                match DatabaseConfig::load_file(args.common.config.as_deref(), &overrides) {
                    Ok(database) => database,
                    Err(e) => return refused(&e.into()),
                };
            let _telemetry = init_telemetry(
                args.common.log_format.unwrap_or_default(),
                "info",
                &TelemetryConfig::default(),
            );
            runtime.block_on(migrate(database))
        }
        Command::CheckReceiver(args) => {
            let Some(runtime) = runtime(None) else {
                return ExitCode::FAILURE;
            };
            return runtime.block_on(check_receiver(args));
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A config problem found at start (a certificate file, say) or a
        // database another process serves: for the operator to fix.
        Err(e)
            if e.downcast_ref::<store::LockError>().is_some()
                || e.downcast_ref::<ConfigError>().is_some() =>
        {
            error!("{}", describe(&e));
            ExitCode::from(EXIT_REFUSED)
        }
        Err(e) => {
            error!("{}", describe(&e));
            ExitCode::FAILURE
        }
    }
}

/// The async runtime, with `threads` worker threads (one per core by
/// default); `None` once the failure is reported. One thread is tokio's
/// current-thread scheduler, on the calling thread: in SQLite floods it
/// took about 8 % less of webhookd's CPU per delivery than the multi-thread
/// scheduler with one worker (docs/benchmarks.md).
fn runtime(threads: Option<usize>) -> Option<tokio::runtime::Runtime> {
    let mut builder = if threads == Some(1) {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    if let Some(threads) = threads {
        builder.worker_threads(threads);
    }
    match builder.enable_all().build() {
        Ok(runtime) => Some(runtime),
        Err(e) => {
            eprintln!("webhookd: failed to start the async runtime: {e}");
            None
        }
    }
}

/// Reports an error found before logging is set up, once, on stderr.
fn refused(e: &anyhow::Error) -> ExitCode {
    eprintln!("webhookd: {}", describe(e));
    ExitCode::from(EXIT_REFUSED)
}

fn init_telemetry(
    format: LogFormat,
    level: &str,
    telemetry: &TelemetryConfig,
) -> anyhow::Result<telemetry::TelemetryGuard> {
    let ansi = std::io::stderr().is_terminal();
    telemetry::init(format, level, ansi, std::io::stderr, telemetry)
}

/// The error and its causes as one line, each cause once: many errors
/// repeat their source's text in their own message.
fn describe(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = App::build(config).await?;
    app.run_until(shutdown_signal()).await
}

async fn migrate(database: DatabaseConfig) -> anyhow::Result<()> {
    // Migrating under a running instance could change the schema beneath it.
    let _lock = store::lock_database(&database.url)?;
    let store = store::connect(&database).await.with_context(|| {
        format!(
            "failed to open the database {}",
            store::redact_url(&database.url)
        )
    })?;
    store.migrate().await.context("failed to run migrations")?;
    info!(database = %store::redact_url(&database.url), "migrations applied");
    Ok(())
}

async fn check_receiver(args: CheckReceiverArgs) -> ExitCode {
    let options = match check_options(args) {
        Ok(options) => options,
        Err(e) => return refused(&e),
    };
    match check::run(&options).await {
        Ok(outcomes) => {
            println!("{}", check::render(&options.url, &outcomes));
            if outcomes.iter().all(check::Outcome::passed) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => refused(&e.into()),
    }
}

fn check_options(args: CheckReceiverArgs) -> anyhow::Result<check::CheckOptions> {
    let timeout = Duration::try_from_secs_f64(args.timeout_seconds)
        .ok()
        .filter(|timeout| !timeout.is_zero())
        .context("--timeout-seconds must be a positive number of seconds")?;
    let extra_roots = match &args.ca_file {
        Some(path) => read_ca_file(path).context("--ca-file")?,
        None => Vec::new(),
    };
    Ok(check::CheckOptions {
        url: args.url,
        secret: SecretString::from(args.secret),
        scheme: match args.scheme {
            SchemeArg::Webhookd => SignatureScheme::Webhookd,
            SchemeArg::Standard => SignatureScheme::Standard,
        },
        timeout,
        tls: ReceiverTls {
            extra_roots,
            accept_invalid_certs: false,
        },
    })
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
