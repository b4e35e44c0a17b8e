//! Wires the store, the scheduler, the gRPC server and the HTTP server.
//! `App::build` binds its listeners first, so a port of 0 just works and the
//! bound addresses can be read before `run_until` starts serving.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use secrecy::ExposeSecret;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic_health::ServingStatus;
use tracing::{error, info, warn};

use crate::alert::Alerter;
use crate::api::grpc::WebhookApi;
use crate::api::proto;
use crate::api::proto::webhook_service_server::WebhookServiceServer;
use crate::auth::{ApiKeys, GrpcAuthLayer};
use crate::config::{Config, DeadLetterConfig, ReflectionAccess};
use crate::delivery::http_client::ReceiverTls;
use crate::delivery::probe::Prober;
use crate::delivery::{DeliveryClient, DeliveryContext, RetryPolicy, Scheduler, SchedulerSettings};
use crate::domain::EndpointId;
use crate::domain::EndpointSpec;
use crate::health::EndpointHealth;
use crate::http::{self, HttpState};
use crate::limits;
use crate::listener::{self, Admission, CallTrackingLayer, ConnectionLimits, Incoming};
use crate::metrics::Counters;
use crate::store::Purged;
use crate::store::{self, Store};
use crate::tls::ListenerTls;
use crate::updates::UpdateBus;

/// How long the servers get to finish open requests once deliveries drained.
const SERVER_STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// How often expired dead letters are purged.
const RETENTION_INTERVAL: Duration = Duration::from_secs(60 * 60);
/// How soon a key created or revoked on another instance takes effect here.
const API_KEY_REFRESH_INTERVAL: Duration = Duration::from_secs(3);

/// How often the database is pinged to keep the health status current.
const READINESS_INTERVAL: Duration = Duration::from_secs(1);
/// After a failed ping the next comes sooner, so an outage shows within
/// about 4 s (two failed pings) while one slow ping changes nothing.
const READINESS_RECHECK_INTERVAL: Duration = Duration::from_millis(250);
const READINESS_PING_TIMEOUT: Duration = Duration::from_millis(1500);
const PINGS_FAILED_BEFORE_NOT_SERVING: u32 = 2;

/// Room in a gRPC message beyond the payload itself.
const GRPC_MESSAGE_OVERHEAD: usize = 64 * 1024;

pub struct App {
    config: Config,
    /// Keeps a second process off this SQLite file while the app runs.
    database_lock: Option<store::DatabaseLock>,
    store: Arc<dyn Store>,
    grpc_listener: TcpListener,
    http_listener: TcpListener,
    instance_id: String,
    /// The soft limit on open files after raising it at start.
    open_file_limit: u64,
}

impl App {
    /// Opens and migrates the store, seeds the config endpoints, recovers
    /// orphaned leases and binds both listeners.
    pub async fn build(config: Config) -> Result<App> {
        // reqwest is built without a default crypto provider; a second
        // install (several apps in one test process) is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();

        let database_lock = store::lock_database(&config.database.url)?;
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
        store
            .sync_config_endpoints(&endpoint_specs(&config), crate::clock::now_millis())
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

        let grpc_listener = TcpListener::bind(config.server.grpc_addr)
            .await
            .with_context(|| {
                format!(
                    "failed to bind server.grpc_addr {}",
                    config.server.grpc_addr
                )
            })?;
        let http_listener = TcpListener::bind(config.server.http_addr)
            .await
            .with_context(|| {
                format!(
                    "failed to bind server.http_addr {}",
                    config.server.http_addr
                )
            })?;
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
            instance_id,
            open_file_limit,
        } = self;
        let connection_limits = connection_limits(&config, open_file_limit);
        let grpc_admission = Admission::new("grpc", connection_limits);
        let http_admission = Admission::new("http", connection_limits);

        let wake = Arc::new(Notify::new());
        let updates = Arc::new(UpdateBus::new());
        let counters = Arc::new(Counters::new());
        let endpoint_health = Arc::new(EndpointHealth::new(
            config.health.circuit_breaker_failures,
            (config.health.circuit_breaker_cooldown_seconds * 1000.0) as i64,
            Arc::clone(&wake),
        ));
        let alerter = Alerter::start(config.alerts.email.as_ref()).map_err(anyhow::Error::msg)?;
        let ready = Arc::new(AtomicBool::new(false));
        let stop_scheduler = CancellationToken::new();
        let stop_streams = CancellationToken::new();
        let stop_servers = CancellationToken::new();

        let engine = &config.webhook_engine;
        let network_policy = Arc::new(config.network_policy());
        let client = DeliveryClient::new(
            engine.request_timeout(),
            engine.response_excerpt_bytes,
            Arc::clone(&network_policy),
            receiver_tls(&config.security)?,
        )
        .context("failed to build the HTTP client")?;
        let probe_client = client.clone();
        let ctx = Arc::new(DeliveryContext {
            store: Arc::clone(&store),
            client,
            retry: RetryPolicy::from(&config.retry_policy),
            dead_letter_enabled: config.dead_letter.enabled,
            default_secret: engine.signing_secret.expose_secret().into(),
            wake: Arc::clone(&wake),
            updates: Arc::clone(&updates),
            counters: Arc::clone(&counters),
            health: Arc::clone(&endpoint_health),
            alerter: alerter.clone(),
            failure_threshold: config.health.failure_threshold,
            instance_id: instance_id.clone(),
        });
        let scheduler = Scheduler::new(
            ctx,
            SchedulerSettings {
                instance_id: instance_id.clone(),
                max_concurrent_deliveries: engine.max_concurrent_deliveries,
                claim_batch_size: engine.claim_batch_size,
                lease: engine.lease_duration(),
                poll_interval: engine.poll_interval(),
                shutdown_grace: Duration::from_secs_f64(config.server.shutdown_grace_seconds),
                max_concurrent_per_endpoint: engine.max_concurrent_per_endpoint,
                request_timeout: engine.request_timeout(),
            },
        );

        let (health, health_service) = tonic_health::server::health_reporter();
        health
            .set_serving::<WebhookServiceServer<WebhookApi>>()
            .await;
        // grpcurl and other tools speak either reflection version.
        let reflection = || {
            tonic_reflection::server::Builder::configure()
                .register_encoded_file_descriptor_set(proto::FILE_DESCRIPTOR_SET)
                .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
                // So grpcurl can show the ErrorInfo and BadRequest details.
                .register_encoded_file_descriptor_set(tonic_types::pb::FILE_DESCRIPTOR_SET)
        };
        let reflection_on = config.security.reflection != ReflectionAccess::Off;
        let reflection_v1 = reflection_on
            .then(|| reflection().build_v1())
            .transpose()
            .context("failed to build gRPC reflection")?;
        let reflection_v1alpha = reflection_on
            .then(|| reflection().build_v1alpha())
            .transpose()
            .context("failed to build gRPC reflection")?;
        let api_keys = Arc::new(ApiKeys::from_config(&config.security));
        crate::api::keys::refresh(store.as_ref(), &api_keys)
            .await
            .map_err(|e| anyhow::anyhow!("failed to read API keys: {}", e.message))?;
        if !api_keys.is_enabled() {
            warn!(
                "no API keys configured: the API is open to anyone who can connect (loopback only unless security.allow_unauthenticated)"
            );
        }
        // Up to the hard cap, an oversized Dispatch is read and answered with
        // PAYLOAD_TOO_LARGE; a payload limit above the cap raises the cap.
        let message_limit = (engine.max_payload_bytes.saturating_mul(4) + GRPC_MESSAGE_OVERHEAD)
            .max(limits::MAX_GRPC_MESSAGE_BYTES);
        let api = WebhookServiceServer::new(WebhookApi {
            store: Arc::clone(&store),
            wake: Arc::clone(&wake),
            updates: Arc::clone(&updates),
            max_payload_bytes: engine.max_payload_bytes,
            default_secret: engine.signing_secret.clone(),
            counters: Arc::clone(&counters),
            health: Arc::clone(&endpoint_health),
            alerter: alerter.clone(),
            network_policy: Arc::clone(&network_policy),
            api_keys: Arc::clone(&api_keys),
            shutdown: stop_streams.clone(),
        })
        .max_decoding_message_size(message_limit);

        let listener_tls = config
            .server
            .tls
            .as_ref()
            .map(ListenerTls::load)
            .transpose()
            .map_err(|(key, reason)| anyhow::anyhow!("invalid config at `{key}`: {reason}"))?;
        let mut grpc_builder = tonic::transport::Server::builder();
        if let Some(tls) = &listener_tls {
            grpc_builder = grpc_builder
                .tls_config(tls.grpc())
                .context("failed to set up TLS for the gRPC listener")?;
        }
        // Live clients answer keepalive pings, so they never idle out.
        let keepalive = connection_limits.idle_timeout / 3;
        let grpc_server = grpc_builder
            .max_concurrent_streams(Some(limits::MAX_CONCURRENT_STREAMS_PER_CONNECTION))
            .http2_max_header_list_size(Some(limits::MAX_HEADER_LIST_BYTES))
            .http2_keepalive_interval(Some(keepalive))
            .http2_keepalive_timeout(Some(keepalive.min(Duration::from_secs(20))))
            .trace_fn(|request| tracing::info_span!("grpc", method = %request.uri().path()))
            .layer(CallTrackingLayer)
            .layer(GrpcAuthLayer {
                keys: Arc::clone(&api_keys),
            })
            .add_service(health_service)
            .add_optional_service(reflection_v1)
            .add_optional_service(reflection_v1alpha)
            .add_service(api)
            .serve_with_incoming_shutdown(
                Incoming::new(grpc_listener, Arc::clone(&grpc_admission)),
                stop_servers.clone().cancelled_owned(),
            );
        let mut grpc_task = spawn_named("grpc server", async move {
            grpc_server.await.context("gRPC server failed")
        });

        let router = http::router(HttpState {
            ready: Arc::clone(&ready),
            store: Arc::clone(&store),
            counters: Arc::clone(&counters),
            health: Arc::clone(&endpoint_health),
            keys: Arc::clone(&api_keys),
        });
        let http_tls = listener_tls
            .as_ref()
            .map(|tls| tls.rustls_config(&[b"http/1.1"]))
            .transpose()
            .map_err(|(key, reason)| anyhow::anyhow!("invalid config at `{key}`: {reason}"))?;
        let http_stop = stop_servers.clone();
        let http_incoming = Incoming::new(http_listener, Arc::clone(&http_admission));
        let mut http_task = spawn_named("http server", async move {
            listener::http::serve(http_incoming, http_admission, http_tls, router, http_stop).await;
            Ok(())
        });

        let scheduler_stop = stop_scheduler.clone();
        let mut scheduler_task = spawn_named("scheduler", async move {
            scheduler.run_until_stopped(scheduler_stop).await;
            Ok(())
        });

        // Migrations just ran, so the store answers: serve from the start.
        ready.store(true, Ordering::Release);
        let stop_monitors = CancellationToken::new();
        let monitor = ReadinessMonitor {
            store: Arc::clone(&store),
            health: health.clone(),
            ready: Arc::clone(&ready),
        };
        let monitor_stop = stop_monitors.clone();
        let monitor_task = tokio::spawn(async move { monitor.run(monitor_stop).await });
        let probe = config.health.auto_reenable.then(|| {
            let prober = Prober {
                store: Arc::clone(&store),
                client: probe_client,
                default_secret: engine.signing_secret.clone(),
                health: Arc::clone(&endpoint_health),
                alerter: alerter.clone(),
                updates: Arc::clone(&updates),
                wake: Arc::clone(&wake),
                interval: Duration::from_secs_f64(config.health.check_interval_seconds),
            };
            let stop = stop_monitors.clone();
            tokio::spawn(async move { prober.run_until_stopped(stop).await })
        });
        let retention = spawn_named(
            "dead-letter retention",
            run_retention(
                Arc::clone(&store),
                config.dead_letter.clone(),
                stop_monitors.clone(),
            ),
        );
        let key_refresh = tokio::spawn(refresh_api_keys(
            Arc::clone(&store),
            Arc::clone(&api_keys),
            stop_monitors.clone(),
        ));
        let watch_store = Arc::clone(&store);
        let watch_wake = Arc::clone(&wake);
        let remote_work_task =
            tokio::spawn(async move { watch_store.watch_remote_work(watch_wake).await });

        info!(%grpc_addr, %http_addr, instance_id, "webhookd listening");

        let mut failure: Option<anyhow::Error> = None;
        tokio::select! {
            _ = shutdown => info!("shutdown requested"),
            result = &mut grpc_task => failure = report_exit("grpc server", result),
            result = &mut http_task => failure = report_exit("http server", result),
            result = &mut scheduler_task => failure = report_exit("scheduler", result),
        }

        // Probes first, so load balancers stop sending work, then drain.
        stop_monitors.cancel();
        let _ = monitor_task.await;
        let _ = retention.await;
        let _ = key_refresh.await;
        if let Some(probe) = probe {
            let _ = probe.await;
        }
        remote_work_task.abort();
        ready.store(false, Ordering::Release);
        health
            .set_not_serving::<WebhookServiceServer<WebhookApi>>()
            .await;
        health
            .set_service_status("", ServingStatus::NotServing)
            .await;
        stop_scheduler.cancel();
        if !scheduler_task.is_finished() {
            let _ = report_exit("scheduler", scheduler_task.await);
        }
        // Open streams would hold the server's graceful stop: end them.
        stop_streams.cancel();
        stop_servers.cancel();
        for (name, task) in [("grpc server", grpc_task), ("http server", http_task)] {
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
        info!("webhookd stopped");
        drop(database_lock);
        match failure {
            Some(e) => Err(e),
            None => Ok(()),
        }
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
        header_read_timeout: Duration::from_secs_f64(config.server.header_read_timeout_seconds),
        idle_timeout: Duration::from_secs_f64(config.server.idle_timeout_seconds),
    }
}

fn receiver_tls(security: &crate::config::SecurityConfig) -> Result<ReceiverTls> {
    let extra_roots = match &security.receiver_ca_file {
        Some(path) => {
            let pem = std::fs::read(path).with_context(|| {
                format!("cannot read security.receiver_ca_file {}", path.display())
            })?;
            reqwest::Certificate::from_pem_bundle(&pem)
                .context("security.receiver_ca_file is not a PEM bundle")?
        }
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

/// Picks up API keys created or revoked on other instances.
async fn refresh_api_keys(store: Arc<dyn Store>, keys: Arc<ApiKeys>, stop: CancellationToken) {
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(API_KEY_REFRESH_INTERVAL) => {}
        }
        if let Err(e) = crate::api::keys::refresh(store.as_ref(), &keys).await {
            warn!(error.message = %e.message, "failed to refresh API keys");
        }
    }
}

/// Deletes dead letters older than `dead_letter.max_age_days`, at start and
/// then every `RETENTION_INTERVAL`.
async fn run_retention(
    store: Arc<dyn Store>,
    config: DeadLetterConfig,
    stop: CancellationToken,
) -> Result<()> {
    let max_age_ms = i64::from(config.max_age_days) * 24 * 60 * 60 * 1000;
    loop {
        let cutoff = crate::clock::now_millis() - max_age_ms;
        match store.purge_dead_letters(cutoff).await {
            Ok(purged) if purged == Purged::default() => {}
            Ok(purged) => info!(
                deliveries = purged.deliveries,
                attempts = purged.attempts,
                events = purged.events,
                max_age_days = config.max_age_days,
                "purged expired dead letters"
            ),
            Err(e) => warn!(error.message = %e, "failed to purge expired dead letters"),
        }
        tokio::select! {
            _ = stop.cancelled() => return Ok(()),
            _ = tokio::time::sleep(RETENTION_INTERVAL) => {}
        }
    }
}

/// Keeps the health status in step with the store: NOT_SERVING while the
/// database does not answer, SERVING again once it does.
struct ReadinessMonitor {
    store: Arc<dyn Store>,
    health: tonic_health::server::HealthReporter,
    ready: Arc<AtomicBool>,
}

impl ReadinessMonitor {
    async fn run(self, stop: CancellationToken) {
        let mut serving = true;
        let mut failed_pings: u32 = 0;
        loop {
            let answered = matches!(
                tokio::time::timeout(READINESS_PING_TIMEOUT, self.store.ping()).await,
                Ok(Ok(()))
            );
            failed_pings = if answered { 0 } else { failed_pings + 1 };
            let problem = self.problem(failed_pings).await;
            let reachable = problem.is_none();
            if serving != reachable {
                let status = match &problem {
                    None => {
                        info!("database reachable and writable, serving");
                        ServingStatus::Serving
                    }
                    Some(problem) => {
                        warn!(reason = %problem, "health is NOT_SERVING");
                        ServingStatus::NotServing
                    }
                };
                self.health.set_service_status("", status).await;
                self.health
                    .set_service_status(
                        <WebhookServiceServer<WebhookApi> as tonic::server::NamedService>::NAME,
                        status,
                    )
                    .await;
                self.ready.store(reachable, Ordering::Release);
                serving = reachable;
            }
            let pause = if failed_pings > 0 || !reachable {
                READINESS_RECHECK_INTERVAL
            } else {
                READINESS_INTERVAL
            };
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// Why the instance cannot take events now, if it cannot.
    async fn problem(&self, failed_pings: u32) -> Option<String> {
        // One slow ping under load is not an outage: it takes two in a row
        // (about 2 s) to turn NOT_SERVING, one success to serve again.
        if failed_pings >= PINGS_FAILED_BEFORE_NOT_SERVING {
            return Some("the database does not answer".to_owned());
        }
        if let Err(e) = self.store.check_database_file() {
            return Some(e.to_string());
        }
        let failing = self.store.write_failure()?;
        // Writes may work again with no traffic to show it (a load balancer
        // sends none to an instance that is NOT_SERVING): probe.
        match tokio::time::timeout(READINESS_PING_TIMEOUT, self.store.probe_write()).await {
            Ok(Ok(())) => None,
            _ => Some(format!("database writes fail: {failing}")),
        }
    }
}

fn endpoint_specs(config: &Config) -> Vec<EndpointSpec> {
    config
        .endpoints
        .iter()
        .map(|endpoint| EndpointSpec {
            id: EndpointId::parse(&endpoint.id).expect("endpoint ids are validated at config load"),
            url: crate::domain::TargetUrl::parse(&endpoint.url)
                .expect("endpoint URLs are validated at config load"),
            event_patterns: endpoint
                .events
                .iter()
                .map(|pattern| {
                    crate::domain::EventPattern::parse(pattern)
                        .expect("endpoint patterns are validated at config load")
                })
                .collect(),
            secret: endpoint.secret.clone(),
            signature_scheme: endpoint.signature_scheme,
            active: endpoint.active,
            max_concurrent: endpoint
                .max_concurrent
                .map(|limit| u32::try_from(limit).unwrap_or(u32::MAX)),
        })
        .collect()
}

fn spawn_named<F>(name: &'static str, future: F) -> JoinHandle<Result<()>>
where
    F: Future<Output = Result<()>> + Send + 'static,
{
    tokio::spawn(async move {
        let result = future.await;
        if let Err(e) = &result {
            error!(task = name, error.message = %e, error.cause_chain = ?e, "task failed");
        }
        result
    })
}

/// Logs why a task stopped; returns the error of a task that failed.
fn report_exit(
    name: &'static str,
    result: Result<Result<()>, tokio::task::JoinError>,
) -> Option<anyhow::Error> {
    match result {
        Ok(Ok(())) => {
            info!(task = name, "task stopped");
            None
        }
        Ok(Err(e)) => Some(e),
        Err(join_error) => {
            error!(task = name, error.message = %join_error, "task panicked or was cancelled");
            Some(anyhow::anyhow!("{name} panicked: {join_error}"))
        }
    }
}
