//! Wires the store, the scheduler, the gRPC server and the HTTP server.
//! `App::build` does everything that can fail for the operator to fix (the
//! database lock, migrations, certificate files, binding the ports) before
//! anything serves; the bound addresses can be read before `run_until`.

mod servers;
mod tasks;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::config::{Config, ConfigError, SecurityConfig};
use crate::delivery::adaptive::AdaptiveSettings;
use crate::delivery::alert::Alerter;
use crate::delivery::counters::Counters;
use crate::delivery::health::EndpointHealth;
use crate::delivery::http_client::{ReceiverTls, read_ca_file};
use crate::delivery::operational::OperationalEvents;
use crate::delivery::probe::Prober;
use crate::delivery::retry_budget::RetryBudget;
use crate::delivery::updates::UpdateBus;
use crate::delivery::{DeliveryClient, DeliveryContext, RetryPolicy, Scheduler, SchedulerSettings};
use crate::domain::EndpointId;
use crate::listener::{self, Admission, ConnectionLimits};
use crate::service::{ApiKeys, Services};
use crate::store::{self, Store};
use crate::tls::ListenerTls;
use tasks::{Background, report_exit, spawn_named};

/// How long the servers get to finish open requests once deliveries drained.
const SERVER_STOP_TIMEOUT: Duration = Duration::from_secs(5);

pub struct App {
    config: Config,
    /// Keeps a second process off this SQLite file while the app runs.
    database_lock: Option<store::DatabaseLock>,
    store: Arc<dyn Store>,
    grpc_listener: TcpListener,
    http_listener: TcpListener,
    /// The certificate of both listeners, read at build.
    listener_tls: Option<ListenerTls>,
    receiver_tls: ReceiverTls,
    instance_id: String,
    /// The soft limit on open files after raising it at start.
    open_file_limit: u64,
}

impl App {
    /// Opens and migrates the store, seeds the config endpoints, recovers
    /// orphaned leases, reads the certificate files and binds both
    /// listeners. Unusable files are a `ConfigError` naming their key.
    pub async fn build(config: Config) -> Result<App> {
        // rustls is built without a process-wide crypto provider, which
        // tonic's TLS for the gRPC listener takes; a second install
        // (several apps in one test process) is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();

        let listener_tls = config
            .server
            .tls
            .as_ref()
            .map(ListenerTls::load)
            .transpose()
            .map_err(ConfigError::from)?;
        let receiver_tls = receiver_tls(&config.security)?;
        let database_lock = store::lock_database(&config.database.url)?;
        let store = open_store(&config).await?;
        let grpc_listener = bind(config.server.grpc_addr, "server.grpc_addr").await?;
        let http_listener = bind(config.server.http_addr, "server.http_addr").await?;
        let open_file_limit = listener::raise_open_file_limit();
        info!(open_file_limit, "open file limit raised to the hard limit");
        let instance_id = format!(
            "webhookd-{}",
            &uuid::Uuid::now_v7().simple().to_string()[20..]
        );
        Ok(App {
            config,
            database_lock,
            store,
            grpc_listener,
            http_listener,
            listener_tls,
            receiver_tls,
            instance_id,
            open_file_limit,
        })
    }

    pub fn grpc_addr(&self) -> SocketAddr {
        self.grpc_listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn http_addr(&self) -> SocketAddr {
        self.http_listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn store(&self) -> Arc<dyn Store> {
        Arc::clone(&self.store)
    }

    /// Serves until `shutdown` completes (or a server fails), then shuts down
    /// gracefully: health turns NOT_SERVING, the scheduler stops claiming and
    /// drains, then the servers stop.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send) -> Result<()> {
        let grpc_addr = self.grpc_addr();
        let http_addr = self.http_addr();
        let App {
            config,
            database_lock,
            store,
            grpc_listener,
            http_listener,
            listener_tls,
            receiver_tls,
            instance_id,
            open_file_limit,
        } = self;
        let services = services(&config, store).await?;
        let (scheduler, prober) = match config.server.delivers() {
            true => delivery(&config, &services, receiver_tls, &instance_id)
                .map(|(scheduler, prober)| (Some(scheduler), prober))?,
            false => (None, None),
        };

        let limits = connection_limits(&config, open_file_limit);
        let ready = Arc::new(AtomicBool::new(false));
        let stop_streams = CancellationToken::new();
        let stop_servers = CancellationToken::new();
        let (health, mut grpc_task) = servers::spawn_grpc(servers::GrpcServer {
            services: services.clone(),
            serves_api: config.server.serves_api(),
            reflection: config.security.reflection,
            tls: listener_tls.as_ref(),
            incoming: grpc_listener,
            admission: Admission::new("grpc", limits),
            idle_timeout: limits.idle_timeout,
            stop_streams: stop_streams.clone(),
            stop: stop_servers.clone(),
        })
        .await?;
        let mut http_task = servers::spawn_http(servers::HttpServer {
            services: services.clone(),
            ready: Arc::clone(&ready),
            tls: listener_tls.as_ref(),
            incoming: http_listener,
            admission: Admission::new("http", limits),
            stop: stop_servers.clone(),
        })?;
        let stop_scheduler = CancellationToken::new();
        let scheduler_stop = stop_scheduler.clone();
        let mut scheduler_task =
            scheduler.map(|scheduler| spawn_scheduler(scheduler, scheduler_stop));

        // Migrations just ran, so the store answers: serve from the start.
        ready.store(true, Ordering::Release);
        let background = Background::start(&config, &services, prober, &health, &ready);
        let roles = format!("{:?}", config.server.roles).to_lowercase();
        let worker_threads = tokio::runtime::Handle::current().metrics().num_workers();
        info!(%grpc_addr, %http_addr, instance_id, %roles, worker_threads, "webhookd listening");

        let mut failure: Option<anyhow::Error> = None;
        tokio::select! {
            _ = shutdown => info!("shutdown requested"),
            result = &mut grpc_task => failure = report_exit("grpc server", result),
            result = &mut http_task => failure = report_exit("http server", result),
            result = ended(&mut scheduler_task) => failure = report_exit("scheduler", result),
        }

        // Probes first, so load balancers stop sending work, then drain.
        background.stop().await;
        ready.store(false, Ordering::Release);
        health.set_not_serving().await;
        stop_scheduler.cancel();
        wait_for_scheduler(scheduler_task).await;
        // Open streams would hold the server's graceful stop: end them.
        stop_streams.cancel();
        stop_servers.cancel();
        wait_for_servers([("grpc server", grpc_task), ("http server", http_task)]).await;
        info!("webhookd stopped");
        drop(database_lock);
        match failure {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

fn spawn_scheduler(scheduler: Scheduler, stop: CancellationToken) -> JoinHandle<Result<()>> {
    spawn_named("scheduler", async move {
        scheduler.run_until_stopped(stop).await;
        Ok(())
    })
}

/// Waits for a stopped scheduler to drain its deliveries.
async fn wait_for_scheduler(task: Option<JoinHandle<Result<()>>>) {
    if let Some(task) = task
        && !task.is_finished()
    {
        let _ = report_exit("scheduler", task.await);
    }
}

/// Completes when `task` ends; never when there is none.
async fn ended(
    task: &mut Option<JoinHandle<Result<()>>>,
) -> Result<Result<()>, tokio::task::JoinError> {
    match task {
        Some(task) => task.await,
        None => std::future::pending().await,
    }
}

/// Gives stopping servers `SERVER_STOP_TIMEOUT` to finish open requests.
async fn wait_for_servers(tasks: [(&'static str, JoinHandle<Result<()>>); 2]) {
    for (name, task) in tasks {
        if task.is_finished() {
            continue;
        }
        match tokio::time::timeout(SERVER_STOP_TIMEOUT, task).await {
            Ok(result) => {
                let _ = report_exit(name, result);
            }
            Err(_) => warn!(task = name, "did not stop in time"),
        }
    }
}

/// Connects, migrates, seals endpoint secrets with the configured keys,
/// seeds the config endpoints and releases leases a previous run left
/// behind.
async fn open_store(config: &Config) -> Result<Arc<dyn Store>> {
    let store = store::connect(&config.database).await.with_context(|| {
        format!(
            "failed to open the database {}",
            store::redact_url(&config.database.url)
        )
    })?;
    store
        .migrate()
        .await
        .context("failed to run database migrations")?;
    let keys = config.secret_keys()?;
    let sealing_key = keys.sealing_key_id().map(str::to_owned);
    let resealed = store
        .protect_secrets(keys)
        .await
        .context("failed to encrypt the endpoint secrets with security.secret_keys")?;
    if resealed > 0 {
        info!(
            resealed,
            key_id = sealing_key.as_deref().unwrap_or(""),
            "encrypted stored endpoint secrets with the first of security.secret_keys"
        );
    }
    store
        .sync_config_endpoints(config.endpoint_specs(), crate::clock::now_millis())
        .await
        .context("failed to store the endpoints of the config file")?;
    let recovered = store
        .recover_at_start()
        .await
        .context("failed to recover leases of a previous run")?;
    if recovered > 0 {
        warn!(
            recovered,
            "released deliveries left in flight by a previous run; they will be attempted again"
        );
    }
    Ok(store)
}

async fn bind(addr: SocketAddr, key: &str) -> Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .with_context(|| format!("failed to bind {key} {addr}"))
}

/// The handles the API and the background tasks share.
async fn services(config: &Config, store: Arc<dyn Store>) -> Result<Services> {
    let wake = Arc::new(Notify::new());
    let cooldown_ms =
        i64::try_from(config.health.circuit_breaker_cooldown.as_millis()).unwrap_or(i64::MAX);
    let operators = config.alerts.webhook_endpoints.iter().cloned();
    let operational = OperationalEvents::new(
        Arc::clone(&store),
        Arc::clone(&wake),
        operators.map(EndpointId::from_stored).collect(),
    );
    let alerter = Alerter::start(config.alerts.email.as_ref(), operational)?;
    let services = Services {
        store,
        health: Arc::new(EndpointHealth::new(
            config.health.circuit_breaker_failures,
            cooldown_ms,
            AdaptiveSettings {
                enabled: config.webhook_engine.adaptive_concurrency,
                slow_response: config.webhook_engine.slow_response,
            },
        )),
        retry_budget: Arc::new(RetryBudget::new(
            config.webhook_engine.retry_budget,
            config.webhook_engine.max_concurrent_deliveries,
            Arc::clone(&wake),
        )),
        delivers: config.server.delivers(),
        default_endpoint_limit: config.webhook_engine.max_concurrent_per_endpoint,
        wake,
        updates: Arc::new(UpdateBus::new()),
        counters: Arc::new(Counters::new()),
        alerter,
        network_policy: Arc::new(config.network_policy()),
        api_keys: Arc::new(ApiKeys::from_config(&config.security)),
        default_secret: config.webhook_engine.signing_secret.clone(),
        max_payload_bytes: config.webhook_engine.max_payload_bytes,
        catalog: Arc::new(config.event_catalog()?),
    };
    services
        .refresh_api_keys()
        .await
        .map_err(|e| anyhow::anyhow!("failed to read API keys: {}", e.message))?;
    if !services.api_keys.is_enabled() {
        warn!(
            "no API keys configured: the API is open to anyone who can connect (loopback only unless security.allow_unauthenticated)"
        );
    }
    Ok(services)
}

/// The scheduler, and the prober of disabled endpoints when
/// `health.auto_reenable` is on; both send through one HTTP client.
fn delivery(
    config: &Config,
    services: &Services,
    receiver_tls: ReceiverTls,
    instance_id: &str,
) -> Result<(Scheduler, Option<Prober>)> {
    let client = DeliveryClient::new(
        config.webhook_engine.request_timeout,
        config.webhook_engine.response_excerpt_bytes,
        Arc::clone(&services.network_policy),
        receiver_tls,
    )
    .context("failed to build the HTTP client")?;
    let scheduler = scheduler(config, services, client.clone(), instance_id);
    services.store.start_fresh_with(scheduler.fresh_starts());
    let prober = config
        .health
        .auto_reenable
        .then(|| prober(config, services, client));
    Ok((scheduler, prober))
}

fn scheduler(
    config: &Config,
    services: &Services,
    client: DeliveryClient,
    instance_id: &str,
) -> Scheduler {
    let engine = &config.webhook_engine;
    let ctx = Arc::new(DeliveryContext {
        store: Arc::clone(&services.store),
        client,
        retry: RetryPolicy::from(&config.retry_policy),
        dead_letter_enabled: config.dead_letter.enabled,
        default_secret: services.default_secret.clone(),
        wake: Arc::clone(&services.wake),
        updates: Arc::clone(&services.updates),
        counters: Arc::clone(&services.counters),
        health: Arc::clone(&services.health),
        retry_budget: Arc::clone(&services.retry_budget),
        alerter: services.alerter.clone(),
        failure_threshold: config.health.failure_threshold,
        instance_id: instance_id.to_owned(),
    });
    Scheduler::new(
        ctx,
        SchedulerSettings {
            instance_id: instance_id.to_owned(),
            max_concurrent_deliveries: engine.max_concurrent_deliveries,
            claim_batch_size: engine.claim_batch_size,
            lease: engine.lease(),
            poll_interval: engine.poll_interval,
            shutdown_grace: config.server.shutdown_grace,
            max_concurrent_per_endpoint: engine.max_concurrent_per_endpoint,
            request_timeout: engine.request_timeout,
        },
    )
}

fn prober(config: &Config, services: &Services, client: DeliveryClient) -> Prober {
    Prober {
        store: Arc::clone(&services.store),
        client,
        default_secret: services.default_secret.clone(),
        health: Arc::clone(&services.health),
        alerter: services.alerter.clone(),
        updates: Arc::clone(&services.updates),
        wake: Arc::clone(&services.wake),
        interval: config.health.check_interval,
    }
}

/// File descriptors kept for everything but client connections: database
/// connections, outbound deliveries, logs and files.
const RESERVED_FILE_DESCRIPTORS: u64 = 128;
/// Fewest connections a listener is allowed, however low the file limit.
const MIN_CONNECTIONS_PER_LISTENER: usize = 16;

/// The listeners' limits: `server.max_connections`, lowered when the open
/// file limit cannot hold two listeners of that size next to the
/// descriptors the rest of webhookd needs.
fn connection_limits(config: &Config, open_file_limit: u64) -> ConnectionLimits {
    let reserved = RESERVED_FILE_DESCRIPTORS
        + config.webhook_engine.max_concurrent_deliveries as u64
        + u64::from(config.database.max_connections);
    let per_listener = usize::try_from(open_file_limit.saturating_sub(reserved) / 2)
        .unwrap_or(usize::MAX)
        .max(MIN_CONNECTIONS_PER_LISTENER);
    let max_connections = config.server.max_connections.min(per_listener);
    if max_connections < config.server.max_connections {
        warn!(
            configured = config.server.max_connections,
            max_connections,
            open_file_limit,
            "server.max_connections lowered to fit the open file limit; raise the limit (ulimit -n, LimitNOFILE) to serve more"
        );
    }
    ConnectionLimits {
        max_connections,
        header_read_timeout: config.server.header_read_timeout,
        idle_timeout: config.server.idle_timeout,
    }
}

/// Reads `security.receiver_ca_file`, the CAs trusted for HTTPS endpoints
/// beside the system's roots.
fn receiver_tls(security: &SecurityConfig) -> Result<ReceiverTls, ConfigError> {
    const KEY: &str = "security.receiver_ca_file";
    let extra_roots = match &security.receiver_ca_file {
        Some(path) => read_ca_file(path).map_err(|e| ConfigError::invalid(KEY, e))?,
        None => Vec::new(),
    };
    if security.dangerous_accept_invalid_certs {
        warn!(
            "security.dangerous_accept_invalid_certs is ON: HTTPS endpoints' certificates are NOT checked, so anyone on the network path can read and forge deliveries; never use this in production"
        );
    }
    Ok(ReceiverTls {
        extra_roots,
        accept_invalid_certs: security.dangerous_accept_invalid_certs,
    })
}
