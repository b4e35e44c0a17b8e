//! webhookd-bench: end-to-end throughput, latency and CPU cost of a real
//! `webhookd` process. Starts fast loopback receivers, starts webhookd on a
//! fresh database, dispatches events over gRPC and counts what arrives.
//!
//! `cargo run --release --bin webhookd-bench -- --events 20000 --concurrency 64`

mod process;
mod receivers;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use hdrhistogram::Histogram;
use tokio::sync::Semaphore;
use tonic::transport::Channel;
use webhookd::api::proto::webhook_service_client::WebhookServiceClient;
use webhookd::api::proto::{DispatchRequest, EnableEndpointRequest, dispatch_request::Body};

use process::{CpuMeter, CpuUsed, Daemon, HostSampler, peak_rss_mb, rss_mb};
use receivers::{Ledger, SECRET};

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
    /// Endpoints point at a closed port: deliveries fail until each
    /// endpoint's circuit opens, and every delivery then waits (an hour for
    /// a retry). Measures memory with a large pending backlog (no ledger
    /// check).
    #[arg(long)]
    receiver_down: bool,
    /// Endpoints start disabled, so every delivery waits pending; once all
    /// events are acknowledged they are enabled and the drain of the whole
    /// backlog is timed, at its start and at its end.
    #[arg(long)]
    backlog: bool,
    /// Events (each with a succeeded delivery and its attempt) written to the
    /// database before the run, to measure the cost of history.
    #[arg(long, default_value_t = 0)]
    preload_events: usize,
    /// Further endpoints, subscribed to an event type the bench never
    /// dispatches: they are routed past but never delivered to, to measure
    /// the cost of many registered endpoints.
    #[arg(long, default_value_t = 0)]
    idle_endpoints: usize,
}

/// Longest wait for the last delivery once dispatching ended.
const DELIVERY_DEADLINE: Duration = Duration::from_secs(600);

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if args.instances > 1 && args.database_url.is_none() {
        bail!("--instances above 1 needs a PostgreSQL --database-url");
    }
    let ledger = Ledger::new(Duration::from_millis(args.receiver_delay_ms));
    let mut receivers = Vec::with_capacity(args.fan_out);
    for _ in 0..args.fan_out {
        receivers.push(receivers::start(&ledger, args.receiver_down).await?);
    }
    let dir = tempfile::tempdir()?;
    let database_url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let config = config_yaml(&args, &receivers, &database_url);
    if args.preload_events > 0 {
        preload(&args, &config, dir.path(), &database_url).await?;
    }
    let mut daemons = Vec::with_capacity(args.instances);
    let mut clients = Vec::with_capacity(args.instances);
    for _ in 0..args.instances {
        let (daemon, grpc_addr) = Daemon::start(&args.webhookd, &config, dir.path())?;
        let channel = Channel::from_shared(format!("http://{grpc_addr}"))?
            .connect()
            .await?;
        clients.push(WebhookServiceClient::new(channel));
        daemons.push(daemon);
    }
    let pids: Vec<u32> = daemons.iter().map(Daemon::pid).collect();
    let postgres = database_url.starts_with("postgres");
    let meter = CpuMeter::start(pids.clone(), postgres);

    let dispatched = dispatch_all(&args, &clients).await?;
    if args.receiver_down {
        report_memory_with_backlog(&args, &pids, dispatched.elapsed).await;
        // Every attempt made by now has failed.
        print_failed_attempts(&daemons);
        return Ok(());
    }
    print_settings(&args);
    let expected = args.events * args.fan_out;
    if args.backlog {
        println!(
            "dispatch rate               {:>10.0} events/s (acknowledged)",
            args.events as f64 / dispatched.elapsed.as_secs_f64()
        );
        report("Dispatch latency", &dispatched.latency);
        println!(
            "CPU per dispatched event    {}",
            meter.read().describe(args.events)
        );
        drain_backlog(&args, &clients, &ledger, &pids, postgres, expected).await?;
    } else {
        wait_for_receipts(&ledger, expected).await?;
        print_throughput(&args, &dispatched, &ledger, expected)?;
        let cpu = meter.read();
        println!(
            "webhookd CPU (all)          {:>10.2} s   peak RSS {:.1} MB (largest instance)",
            cpu.webhookd,
            peak_rss(&pids)
        );
        println!("CPU per delivery            {}", cpu.describe(expected));
        print_thread_shares(&cpu);
        print_host_share(&cpu);
    }
    // Every receipt is in, so every failed attempt before one is logged.
    print_failed_attempts(&daemons);
    drop(daemons);
    check_ledger(&args, &dispatched, &ledger)
}

fn config_yaml(args: &Args, receivers: &[SocketAddr], database_url: &str) -> String {
    let mut endpoints = String::new();
    for (index, addr) in receivers.iter().enumerate() {
        endpoints.push_str(&format!(
            "  - id: ep_{index}\n    url: http://{addr}/hook/{index}\n    events: [\"*\"]\n    secret: {SECRET}\n    active: {}\n",
            !args.backlog
        ));
    }
    for index in 0..args.idle_endpoints {
        endpoints.push_str(&format!(
            "  - id: idle_{index}\n    url: http://{}/idle/{index}\n    events: [\"idle.never\"]\n    secret: {SECRET}\n",
            receivers[0]
        ));
    }
    format!(
        "server:\n  grpc_addr: 127.0.0.1:0\n  http_addr: 127.0.0.1:0\ndatabase:\n  url: \"{database_url}\"\n\
         webhook_engine:\n  signing_secret: bench-secret\n  max_concurrent_deliveries: {}\n  max_concurrent_per_endpoint: {}\n\
         retry_policy:\n  initial_delay_seconds: {retry_delay}\n  max_delay_seconds: 3600\n\
         security:\n  allowed_networks: [\"127.0.0.0/8\"]\nlogging:\n  level: warn\nendpoints:\n{endpoints}",
        args.max_concurrent_deliveries,
        args.max_concurrent_per_endpoint,
        retry_delay = if args.receiver_down { 3600 } else { 1 },
    )
}

/// What dispatching produced: when each event was acknowledged, and how
/// long the calls took.
struct Dispatched {
    started: Instant,
    elapsed: Duration,
    acks: HashMap<String, Instant>,
    latency: Histogram<u64>,
}

/// Sends `args.events` Dispatch calls, `args.concurrency` at a time, at
/// `args.rate` if set; spread round-robin over `clients`.
async fn dispatch_all(
    args: &Args,
    clients: &[WebhookServiceClient<Channel>],
) -> Result<Dispatched> {
    let filler = "x".repeat(args.payload_bytes.saturating_sub(40));
    let acks: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let latency = Arc::new(Mutex::new(Histogram::<u64>::new(3)?));
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
        let latency = Arc::clone(&latency);
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
            latency
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
    let elapsed = started.elapsed();
    let acks = std::mem::take(&mut *acks.lock().unwrap());
    let latency = latency.lock().unwrap().clone();
    Ok(Dispatched {
        started,
        elapsed,
        acks,
        latency,
    })
}

async fn wait_for_receipts(ledger: &Ledger, expected: usize) -> Result<()> {
    let deadline = Instant::now() + DELIVERY_DEADLINE;
    loop {
        let received = ledger.receipt_count();
        if received >= expected {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "only {received} of {expected} deliveries arrived within {} s",
                DELIVERY_DEADLINE.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Enables the endpoints and times the drain of the backlog they held.
async fn drain_backlog(
    args: &Args,
    clients: &[WebhookServiceClient<Channel>],
    ledger: &Ledger,
    pids: &[u32],
    postgres: bool,
    expected: usize,
) -> Result<()> {
    println!(
        "backlog                     {expected:>10} deliveries pending before the endpoints are enabled"
    );
    let meter = CpuMeter::start(pids.to_vec(), postgres);
    let sampler = HostSampler::start(Duration::from_millis(100));
    let enabled = Instant::now();
    for index in 0..args.fan_out {
        clients[0]
            .clone()
            .enable_endpoint(EnableEndpointRequest {
                id: format!("ep_{index}"),
            })
            .await
            .context("EnableEndpoint failed")?;
    }
    wait_for_receipts(ledger, expected).await?;
    let cpu = meter.read();
    let host = sampler.stop();
    let times = ledger.receipt_times();
    let rate = |from: usize, to: usize| {
        let span = times[to]
            .saturating_duration_since(times[from])
            .as_secs_f64();
        (to - from) as f64 / span.max(1e-9)
    };
    let last = times.len() - 1;
    let tenth = times.len() / 10;
    let overall = times.len() as f64 / (times[last] - enabled).as_secs_f64();
    println!("backlog drain               {overall:>10.0} deliveries/s overall");
    // Each tenth of the backlog on its own, with the machine's stolen share
    // in its stretch: a drain that slows at its end only where the
    // hypervisor took the time is not a slower drain.
    let tenths: Vec<(usize, usize)> = (0..10)
        .map(|k| (k * tenth, if k == 9 { last } else { (k + 1) * tenth }))
        .collect();
    let rates: Vec<f64> = tenths.iter().map(|(from, to)| rate(*from, *to)).collect();
    println!(
        "backlog drain by stage      {:>10.0} /s with 100-90 % pending, {:.0} /s with 10-0 % pending",
        rates[0], rates[9]
    );
    let shown: Vec<String> = rates.iter().map(|rate| format!("{rate:.0}")).collect();
    println!("backlog drain by tenth      {} /s", shown.join(" "));
    let stolen: Vec<String> = tenths
        .iter()
        .map(
            |(from, to)| match host.share_between(times[*from], times[*to]) {
                Some(share) => format!("{:.0}", share.steal),
                None => "?".to_string(),
            },
        )
        .collect();
    println!("stolen by tenth             {} %", stolen.join(" "));
    println!(
        "webhookd CPU (all)          {:>10.2} s   peak RSS {:.1} MB (largest instance)",
        cpu.webhookd,
        peak_rss(pids)
    );
    println!("CPU per delivery            {}", cpu.describe(expected));
    print_thread_shares(&cpu);
    print_host_share(&cpu);
    Ok(())
}

/// What webhookd's threads spent its CPU time on: the SQLite statements
/// sqlx runs (each on a thread of its connection), the SQLite writer's
/// batches and claims, and the rest.
fn print_thread_shares(cpu: &CpuUsed) {
    if let Some(threads) = cpu.describe_threads() {
        println!("webhookd CPU by thread      {threads}");
    }
}

/// How busy the whole machine was, and how much of its time the hypervisor
/// gave to other guests: runs with much steal are not comparable.
fn print_host_share(cpu: &CpuUsed) {
    if let Some(host) = &cpu.host {
        println!(
            "machine CPU                 {:>8.0} % busy, {:.0} % stolen by the hypervisor",
            host.busy, host.steal
        );
    }
}

fn peak_rss(pids: &[u32]) -> f64 {
    pids.iter()
        .filter_map(|pid| peak_rss_mb(*pid))
        .fold(0.0, f64::max)
}

fn print_settings(args: &Args) {
    println!(
        "events {}  fan-out {}  payload ~{} B  dispatch concurrency {}  receiver delay {} ms  instances {}",
        args.events,
        args.fan_out,
        args.payload_bytes,
        args.concurrency,
        args.receiver_delay_ms,
        args.instances
    );
}

fn print_throughput(
    args: &Args,
    dispatched: &Dispatched,
    ledger: &Ledger,
    expected: usize,
) -> Result<()> {
    let last_receipt = *ledger
        .receipt_times()
        .last()
        .context("no delivery arrived")?;
    let total = (last_receipt - dispatched.started).as_secs_f64();
    println!(
        "dispatch rate               {:>10.0} events/s (acknowledged)",
        args.events as f64 / dispatched.elapsed.as_secs_f64()
    );
    println!(
        "end-to-end deliveries       {:>10.0} /s",
        expected as f64 / total
    );
    report("Dispatch latency", &dispatched.latency);
    Ok(())
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

/// Every acknowledged (event, endpoint) pair must have arrived, and every
/// signature must have verified; prints the latency from ack to receipt.
fn check_ledger(args: &Args, dispatched: &Dispatched, ledger: &Ledger) -> Result<()> {
    let received = ledger.received.lock().unwrap();
    let mut end_to_end = Histogram::<u64>::new(3)?;
    let mut missing = 0usize;
    let mut duplicates = 0usize;
    for (event_id, acked) in &dispatched.acks {
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
    if !args.backlog {
        report("ack-to-receipt latency", &end_to_end);
    }
    let bad_signatures = ledger.bad_signatures();
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

/// Attempts the daemons logged as failed, retried or given up.
fn print_failed_attempts(daemons: &[Daemon]) {
    println!(
        "failed attempts             {:>10}   (retried or given up; from webhookd's log)",
        daemons.iter().map(Daemon::failed_attempts).sum::<u64>()
    );
}

/// With receivers down: the backlog stays pending; report webhookd's memory
/// as it holds it.
async fn report_memory_with_backlog(args: &Args, pids: &[u32], dispatch_elapsed: Duration) {
    println!(
        "receivers down: {} events x {} endpoints dispatched in {:.1} s ({:.0} events/s)",
        args.events,
        args.fan_out,
        dispatch_elapsed.as_secs_f64(),
        args.events as f64 / dispatch_elapsed.as_secs_f64()
    );
    // Deliveries fail until the endpoint's circuit opens; every delivery
    // then waits: for its retry, an hour away, or for the circuit.
    for seconds in [0u64, 10, 20] {
        if seconds > 0 {
            tokio::time::sleep(Duration::from_secs(10)).await;
        }
        for pid in pids {
            println!(
                "after {seconds:>2} s: webhookd RSS {:.1} MB, peak {:.1} MB",
                rss_mb(*pid).unwrap_or(0.0),
                peak_rss_mb(*pid).unwrap_or(0.0)
            );
        }
    }
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
    let (daemon, _) = Daemon::start(&args.webhookd, config, dir)?;
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
