//! webhookd-bench: end-to-end throughput and latency of a real `webhookd`
//! process. Starts fast loopback receivers, starts webhookd on a fresh
//! database, dispatches events over gRPC and counts what arrives.
//!
//! `cargo run --release --bin webhookd-bench -- --events 20000 --concurrency 64`

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use clap::Parser;
use hdrhistogram::Histogram;
use tokio::sync::Semaphore;
use tonic::transport::Channel;
use webhookd::api::proto::webhook_service_client::WebhookServiceClient;
use webhookd::api::proto::{DispatchRequest, dispatch_request::Body};
use webhookd::signing;

#[derive(Parser)]
struct Args {
    /// The webhookd binary to run.
    #[arg(long, default_value = "target/release/webhookd")]
    webhookd: PathBuf,
    /// Events to dispatch.
    #[arg(long, default_value_t = 20_000)]
    events: usize,
    /// Dispatch calls in flight at once.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Approximate payload size in bytes.
    #[arg(long, default_value_t = 500)]
    payload_bytes: usize,
    /// Endpoints each event fans out to (one receiver each).
    #[arg(long, default_value_t = 1)]
    fan_out: usize,
    /// Receiver response delay in milliseconds.
    #[arg(long, default_value_t = 0)]
    receiver_delay_ms: u64,
    /// Database URL; a fresh SQLite file in a temp dir by default.
    #[arg(long)]
    database_url: Option<String>,
    /// webhook_engine.max_concurrent_deliveries.
    #[arg(long, default_value_t = 50)]
    max_concurrent_deliveries: usize,
    /// webhook_engine.max_concurrent_per_endpoint.
    #[arg(long, default_value_t = 10)]
    max_concurrent_per_endpoint: usize,
    /// Dispatch at this fixed rate (events/s) instead of as fast as possible.
    #[arg(long)]
    rate: Option<f64>,
    /// webhookd processes sharing the database (PostgreSQL only); Dispatch
    /// calls go to them round-robin.
    #[arg(long, default_value_t = 1)]
    instances: usize,
    /// Endpoints point at a closed port: deliveries fail once and wait an
    /// hour for their retry. Measures memory with a large pending backlog
    /// (no ledger check).
    #[arg(long)]
    receiver_down: bool,
    /// Events (each with a succeeded delivery and its attempt) written to the
    /// database before the run, to measure the cost of history.
    #[arg(long, default_value_t = 0)]
    preload_events: usize,
}

/// The signing secret of every bench endpoint.
const SECRET: &str = "bench-secret-0123456789abcdef";

/// Receipt times per (endpoint index, event id).
type Receipts = HashMap<(usize, String), Vec<Instant>>;

/// What the receivers saw, shared by all of them.
#[derive(Clone, Default)]
struct Ledger {
    received: Arc<Mutex<Receipts>>,
    bad_signatures: Arc<std::sync::atomic::AtomicUsize>,
    delay: Duration,
}

async fn receive(
    State(ledger): State<Ledger>,
    Path(endpoint): Path<usize>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let now = Instant::now();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    // Every delivery is checked as a receiver would check it.
    let unix_now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    if signing::verify(
        &[SECRET.as_bytes()],
        &body,
        header("x-webhook-timestamp"),
        header("x-webhook-signature"),
        unix_now,
        signing::DEFAULT_TOLERANCE,
    )
    .is_err()
    {
        ledger
            .bad_signatures
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    ledger
        .received
        .lock()
        .unwrap()
        .entry((endpoint, header("x-webhook-id").to_owned()))
        .or_default()
        .push(now);
    if !ledger.delay.is_zero() {
        tokio::time::sleep(ledger.delay).await;
    }
    StatusCode::NO_CONTENT
}

/// The webhookd process, killed when dropped.
struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_webhookd(
    args: &Args,
    config: &str,
    dir: &std::path::Path,
) -> Result<(Daemon, SocketAddr)> {
    let path = dir.join("config.yaml");
    std::fs::write(&path, config)?;
    let mut child = Command::new(&args.webhookd)
        .args(["serve", "--log-format", "json", "--config"])
        .arg(&path)
        .env("RUST_LOG", "warn,webhookd::app=info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .with_context(|| format!("failed to start {}", args.webhookd.display()))?;
    let stderr = child.stderr.take().expect("stderr is piped");
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("webhookd listening") {
                let _ = sender.send(line);
            }
        }
    });
    let line = receiver
        .recv_timeout(Duration::from_secs(30))
        .context("webhookd did not start")?;
    let event: serde_json::Value = serde_json::from_str(&line)?;
    let addr = event["grpc_addr"]
        .as_str()
        .context("no grpc_addr in the listening line")?
        .parse()?;
    Ok((Daemon(child), addr))
}

/// User + system CPU seconds of a process, from /proc.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(") ")?.1.split_whitespace().collect();
    let ticks = fields[11].parse::<f64>().ok()? + fields[12].parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn peak_rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn report(name: &str, histogram: &Histogram<u64>) {
    println!(
        "{name:<28} p50 {:>8.2} ms  p95 {:>8.2} ms  p99 {:>8.2} ms  max {:>8.2} ms",
        histogram.value_at_quantile(0.50) as f64 / 1000.0,
        histogram.value_at_quantile(0.95) as f64 / 1000.0,
        histogram.value_at_quantile(0.99) as f64 / 1000.0,
        histogram.max() as f64 / 1000.0,
    );
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let ledger = Ledger {
        delay: Duration::from_millis(args.receiver_delay_ms),
        ..Default::default()
    };
    let mut endpoints = String::new();
    for index in 0..args.fan_out {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        if args.receiver_down {
            // Nothing listens there once the listener is dropped.
            drop(listener);
        } else {
            let app = Router::new()
                .route("/hook/{endpoint}", post(receive))
                .with_state(ledger.clone());
            tokio::spawn(async move { axum::serve(listener, app).await });
        }
        endpoints.push_str(&format!(
            "  - id: ep_{index}\n    url: http://{addr}/hook/{index}\n    events: [\"*\"]\n    secret: {SECRET}\n"
        ));
    }
    let dir = tempfile::tempdir()?;
    let database_url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let config = format!(
        "server:\n  grpc_addr: 127.0.0.1:0\n  http_addr: 127.0.0.1:0\ndatabase:\n  url: \"{database_url}\"\n\
         webhook_engine:\n  signing_secret: bench-secret\n  max_concurrent_deliveries: {}\n  max_concurrent_per_endpoint: {}\n\
         retry_policy:\n  initial_delay_seconds: {retry_delay}\n  max_delay_seconds: 3600\n\
         security:\n  allowed_networks: [\"127.0.0.0/8\"]\nlogging:\n  level: warn\nendpoints:\n{endpoints}",
        args.max_concurrent_deliveries,
        args.max_concurrent_per_endpoint,
        retry_delay = if args.receiver_down { 3600 } else { 1 },
    );
    if args.instances > 1 && !database_url.starts_with("postgres") {
        bail!("--instances above 1 needs a PostgreSQL --database-url");
    }
    if args.preload_events > 0 {
        preload(&args, &config, dir.path(), &database_url).await?;
    }
    let mut daemons = Vec::with_capacity(args.instances);
    let mut clients = Vec::with_capacity(args.instances);
    for _ in 0..args.instances {
        let (daemon, grpc_addr) = start_webhookd(&args, &config, dir.path())?;
        let channel = Channel::from_shared(format!("http://{grpc_addr}"))?
            .connect()
            .await?;
        clients.push(WebhookServiceClient::new(channel));
        daemons.push(daemon);
    }
    let pids: Vec<u32> = daemons.iter().map(|d| d.0.id()).collect();
    let cpu_before: f64 = pids.iter().filter_map(|pid| cpu_seconds(*pid)).sum();

    let filler = "x".repeat(args.payload_bytes.saturating_sub(40));
    let acks: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let dispatch_latency = Arc::new(Mutex::new(Histogram::<u64>::new(3)?));
    let permits = Arc::new(Semaphore::new(args.concurrency));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(args.events);
    for n in 0..args.events {
        if let Some(rate) = args.rate {
            let due = started + Duration::from_secs_f64(n as f64 / rate);
            tokio::time::sleep_until(due.into()).await;
        }
        let permit = Arc::clone(&permits).acquire_owned().await?;
        let mut client = clients[n % clients.len()].clone();
        let acks = Arc::clone(&acks);
        let dispatch_latency = Arc::clone(&dispatch_latency);
        let payload = format!("{{\"n\":{n},\"filler\":\"{filler}\"}}");
        tasks.push(tokio::spawn(async move {
            let sent = Instant::now();
            let response = client
                .dispatch(DispatchRequest {
                    event_type: "bench.event".to_owned(),
                    body: Some(Body::PayloadJson(payload)),
                    ..Default::default()
                })
                .await;
            let acked = Instant::now();
            drop(permit);
            let response = response?.into_inner();
            dispatch_latency
                .lock()
                .unwrap()
                .record((acked - sent).as_micros() as u64)?;
            acks.lock().unwrap().insert(response.event_id, acked);
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let dispatch_elapsed = started.elapsed();
    if args.receiver_down {
        return report_backlog(&args, &pids, dispatch_elapsed).await;
    }
    let expected = args.events * args.fan_out;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let received: usize = ledger.received.lock().unwrap().values().map(Vec::len).sum();
        if received >= expected {
            break;
        }
        if Instant::now() > deadline {
            bail!("only {received} of {expected} deliveries arrived within 120 s");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let cpu = pids.iter().filter_map(|pid| cpu_seconds(*pid)).sum::<f64>() - cpu_before;
    let rss = pids
        .iter()
        .filter_map(|pid| peak_rss_mb(*pid))
        .fold(0.0, f64::max);
    drop(daemons);

    let received = ledger.received.lock().unwrap();
    let acks = acks.lock().unwrap();
    let last_receipt = received
        .values()
        .flatten()
        .max()
        .copied()
        .context("no delivery arrived")?;
    let mut end_to_end = Histogram::<u64>::new(3)?;
    let mut missing = 0usize;
    let mut duplicates = 0usize;
    // Every acknowledged (event, endpoint) pair must have arrived.
    for (event_id, acked) in acks.iter() {
        for endpoint in 0..args.fan_out {
            match received.get(&(endpoint, event_id.clone())) {
                Some(times) => {
                    duplicates += times.len() - 1;
                    for receipt in times {
                        // A delivery can land before the client has read the ack.
                        end_to_end
                            .record(receipt.saturating_duration_since(*acked).as_micros() as u64)?;
                    }
                }
                None => missing += 1,
            }
        }
    }
    let bad_signatures = ledger
        .bad_signatures
        .load(std::sync::atomic::Ordering::Relaxed);
    let total = (last_receipt - started).as_secs_f64();
    println!(
        "events {}  fan-out {}  payload ~{} B  dispatch concurrency {}  receiver delay {} ms  instances {}",
        args.events,
        args.fan_out,
        args.payload_bytes,
        args.concurrency,
        args.receiver_delay_ms,
        args.instances
    );
    println!(
        "dispatch rate               {:>10.0} events/s (acknowledged)",
        args.events as f64 / dispatch_elapsed.as_secs_f64()
    );
    println!(
        "end-to-end deliveries       {:>10.0} /s",
        expected as f64 / total
    );
    report("Dispatch latency", &dispatch_latency.lock().unwrap());
    report("ack-to-receipt latency", &end_to_end);
    println!("webhookd CPU (all)          {cpu:>10.2} s   peak RSS {rss:.1} MB (largest instance)");
    println!(
        "ledger: missing {missing}, duplicates {duplicates}, bad signatures {bad_signatures} (all {} checked)",
        received.values().map(Vec::len).sum::<usize>()
    );
    if missing > 0 || bad_signatures > 0 {
        bail!(
            "ledger does not balance: {missing} acknowledged (event, endpoint) pairs never arrived, {bad_signatures} signatures did not verify"
        );
    }
    Ok(())
}

/// With receivers down: the backlog stays pending; report webhookd's memory
/// as it holds it.
async fn report_backlog(args: &Args, pids: &[u32], dispatch_elapsed: Duration) -> Result<()> {
    let rss_now = |pid: u32| -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        Some(line.split_whitespace().nth(1)?.parse::<f64>().ok()? / 1024.0)
    };
    println!(
        "receivers down: {} events x {} endpoints dispatched in {:.1} s ({:.0} events/s)",
        args.events,
        args.fan_out,
        dispatch_elapsed.as_secs_f64(),
        args.events as f64 / dispatch_elapsed.as_secs_f64()
    );
    // Every delivery fails once, then waits an hour for its retry.
    for seconds in [0u64, 10, 20] {
        tokio::time::sleep(Duration::from_secs(if seconds == 0 { 0 } else { 10 })).await;
        for pid in pids {
            println!(
                "after {seconds:>2} s: webhookd RSS {:.1} MB, peak {:.1} MB",
                rss_now(*pid).unwrap_or(0.0),
                peak_rss_mb(*pid).unwrap_or(0.0)
            );
        }
    }
    Ok(())
}

/// Writes `args.preload_events` events, each with a succeeded delivery to
/// `ep_0` and its attempt, straight into the database (after letting a
/// short-lived webhookd create the schema and the endpoints).
async fn preload(
    args: &Args,
    config: &str,
    dir: &std::path::Path,
    database_url: &str,
) -> Result<()> {
    let (daemon, _) = start_webhookd(args, config, dir)?;
    drop(daemon);
    let started = Instant::now();
    let n = args.preload_events as i64;
    let statements = [
        "INSERT INTO events (id, event_type, payload, created_at)
         SELECT 'evt_pre_' || n, 'bench.history', CAST('{\"n\":1}' AS BLOB), n FROM numbers",
        "INSERT INTO deliveries (id, event_id, endpoint_id, state, attempt_count, next_attempt_at, created_at, updated_at)
         SELECT 'dlv_pre_' || n, 'evt_pre_' || n, 'ep_0', 'succeeded', 1, n, n, n FROM numbers",
        "INSERT INTO attempts (delivery_id, attempt_number, started_at, duration_ms, http_status)
         SELECT 'dlv_pre_' || n, 1, n, 1, 204 FROM numbers",
    ];
    if database_url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(database_url).await?;
        for statement in statements {
            let statement = format!(
                "WITH numbers AS (SELECT generate_series(1, $1::bigint) AS n) {}",
                statement.replace(
                    "CAST('{\"n\":1}' AS BLOB)",
                    "convert_to('{\"n\":1}', 'UTF8')"
                )
            );
            sqlx::query(&statement).bind(n).execute(&pool).await?;
        }
        sqlx::query("ANALYZE").execute(&pool).await?;
    } else {
        let pool = sqlx::SqlitePool::connect(database_url).await?;
        for statement in statements {
            let statement = format!(
                "WITH RECURSIVE numbers(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM numbers WHERE n < ?1) {statement}"
            );
            sqlx::query(&statement).bind(n).execute(&pool).await?;
        }
        sqlx::query("ANALYZE").execute(&pool).await?;
    }
    println!(
        "preloaded {} events with their deliveries and attempts in {:.1} s",
        args.preload_events,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
