//! Test harness: a webhookd on port 0 with a database of its own (a SQLite
//! file or a fresh PostgreSQL database), real receivers on loopback, and
//! helpers to wait with deadlines.

pub mod certs;
pub mod daemon;
pub mod postgres;
pub mod receiver;
pub mod settings;
pub mod tmpfs;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tempfile::TempDir;
use tokio::sync::oneshot;
use tonic::transport::Channel;
use webhookd::api::proto::webhook_service_client::WebhookServiceClient;
use webhookd::api::proto::{DispatchRequest, DispatchResponse, dispatch_request::Body};
use webhookd::domain::{AttemptRecord, DeliveryId, DeliveryRecord, DeliveryState, EventId};
use webhookd::store::Store;
use webhookd::{App, Config};

pub use receiver::{Receiver, Reply};
pub use settings::{ConfigTree, TestEndpoint, TestRetrySchedule, TestSettings};

pub const SECRET: &str = "test-signing-secret";

/// The store a test runs against.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    /// A server URL; each test gets a fresh database on it.
    Postgres(String),
}

impl Backend {
    /// A URL of an empty database for one test; SQLite files go in `dir`.
    pub async fn fresh_database_url(&self, dir: &std::path::Path) -> String {
        match self {
            Backend::Sqlite => format!("sqlite://{}", dir.join("webhookd.db").display()),
            Backend::Postgres(server) => postgres::fresh_database(server).await,
        }
    }
}

/// Runs each listed `async fn name(backend: Backend)` once per backend, as
/// `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(server) = $crate::common::postgres::server_url() {
                        super::$name($crate::common::Backend::Postgres(server)).await;
                    }
                }
            )*
        }
    };
}

/// Runs one SQL statement against the database at `url` and returns the
/// first column of the first row as an integer, if any.
pub async fn sql(url: &str, statement: &str) -> Option<i64> {
    use sqlx::{Connection, Row};
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
        let row = sqlx::query(statement)
            .fetch_optional(&mut conn)
            .await
            .unwrap();
        row.and_then(|row| row.try_get::<i64, _>(0).ok())
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        let row = sqlx::query(statement)
            .fetch_optional(&mut conn)
            .await
            .unwrap();
        row.and_then(|row| row.try_get::<i64, _>(0).ok())
    }
}

/// A client that sends `authorization: Bearer <key>` with every call.
pub type KeyedClient = WebhookServiceClient<
    tonic::service::interceptor::InterceptedService<
        Channel,
        Box<dyn FnMut(tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> + Send>,
    >,
>;

pub fn keyed_client(channel: Channel, key: &str) -> KeyedClient {
    let header = tonic::metadata::MetadataValue::try_from(format!("Bearer {key}")).unwrap();
    WebhookServiceClient::with_interceptor(
        channel,
        Box::new(move |mut request: tonic::Request<()>| {
            request
                .metadata_mut()
                .insert("authorization", header.clone());
            Ok(request)
        }),
    )
}

/// The Python of scripts/test.sh's venv (aiosmtpd, standardwebhooks, …);
/// `None` (the test skips that part) outside CI when it is not set.
pub fn test_python(needed_for: &str) -> Option<String> {
    match std::env::var("WEBHOOKD_TEST_PYTHON") {
        Ok(python) => Some(python),
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but WEBHOOKD_TEST_PYTHON is not set: use scripts/test.sh")
        }
        Err(_) => {
            eprintln!(
                "skipping {needed_for}: WEBHOOKD_TEST_PYTHON is not set (scripts/test.sh sets it)"
            );
            None
        }
    }
}

pub struct TestApp {
    pub client: WebhookServiceClient<Channel>,
    pub channel: Channel,
    pub store: Arc<dyn Store>,
    pub http_base: String,
    /// `http://127.0.0.1:PORT` of the gRPC listener.
    pub grpc_url: String,
    pub database_url: String,
    /// The config it runs with, for a restart on the same database.
    yaml: String,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _dir: TempDir,
}

/// Starts webhookd in-process on port 0 with a fresh database.
pub async fn spawn_app(backend: &Backend, settings: TestSettings) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let database_url = backend.fresh_database_url(dir.path()).await;
    let yaml = settings.to_yaml(&database_url);
    start(yaml, database_url, dir).await
}

/// Starts webhookd in-process on port 0 with the database at `database_url`.
pub async fn spawn_app_on(database_url: &str, settings: TestSettings) -> TestApp {
    let yaml = settings.to_yaml(database_url);
    start(yaml, database_url.to_owned(), tempfile::tempdir().unwrap()).await
}

async fn start(yaml: String, database_url: String, dir: TempDir) -> TestApp {
    let config = Config::load(Some(&yaml), Vec::new(), &Default::default())
        .unwrap_or_else(|e| panic!("test config is invalid: {e}\n{yaml}"));
    let app = App::build(config).await.expect("app builds");
    let grpc_addr = app.grpc_addr();
    let http_base = format!("http://{}", app.http_addr());
    let store = app.store();
    let (shutdown, stop) = oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until(async move {
        let _ = stop.await;
    }));
    let channel = Channel::from_shared(format!("http://{grpc_addr}"))
        .unwrap()
        .connect()
        .await
        .expect("the gRPC server accepts connections");
    TestApp {
        client: WebhookServiceClient::new(channel.clone()),
        channel,
        store,
        http_base,
        grpc_url: format!("http://{grpc_addr}"),
        database_url,
        yaml,
        shutdown: Some(shutdown),
        task: Some(task),
        _dir: dir,
    }
}

impl TestApp {
    /// Dispatches `payload_json` as `event_type`; panics on error.
    pub async fn dispatch(&self, event_type: &str, payload_json: &str) -> DispatchResponse {
        self.try_dispatch(dispatch_request(event_type, payload_json))
            .await
            .unwrap_or_else(|status| panic!("dispatch failed: {status:?}"))
    }

    pub async fn try_dispatch(
        &self,
        request: DispatchRequest,
    ) -> Result<DispatchResponse, tonic::Status> {
        self.client
            .clone()
            .dispatch(request)
            .await
            .map(tonic::Response::into_inner)
    }

    pub async fn deliveries(&self, event_id: &str) -> Vec<DeliveryRecord> {
        self.store
            .deliveries_for_event(&EventId::from_stored(event_id.to_owned()))
            .await
            .unwrap()
    }

    pub async fn attempts(&self, delivery_id: &str) -> Vec<AttemptRecord> {
        self.store
            .attempts_for_delivery(&DeliveryId::from_stored(delivery_id.to_owned()))
            .await
            .unwrap()
    }

    /// Waits until the delivery reaches `state`.
    pub async fn wait_for_state(
        &self,
        event_id: &str,
        delivery_id: &str,
        state: DeliveryState,
        within: Duration,
    ) {
        eventually(within, || async {
            self.deliveries(event_id)
                .await
                .iter()
                .any(|d| d.id.as_str() == delivery_id && d.state == state)
        })
        .await
        .unwrap_or_else(|_| {
            panic!("delivery {delivery_id} did not reach {state} within {within:?}")
        });
    }

    /// `/readyz`'s status and the gRPC health status, as a pair.
    pub async fn readiness(&self) -> (u16, i32) {
        let http = reqwest::get(format!("{}/readyz", self.http_base))
            .await
            .map(|response| response.status().as_u16())
            .unwrap_or(0);
        let grpc = tonic_health::pb::health_client::HealthClient::new(self.channel.clone())
            .check(tonic_health::pb::HealthCheckRequest {
                service: String::new(),
            })
            .await
            .map(|response| response.into_inner().status)
            .unwrap_or(-1);
        (http, grpc)
    }

    /// Starts a second app on this one's database (stop this one first).
    pub async fn restart(&self) -> TestApp {
        start(
            self.yaml.clone(),
            self.database_url.clone(),
            tempfile::tempdir().unwrap(),
        )
        .await
    }

    /// Like `restart`, with other settings (a changed config file).
    pub async fn restart_with(&self, settings: TestSettings) -> TestApp {
        let yaml = settings.to_yaml(&self.database_url);
        start(
            yaml,
            self.database_url.clone(),
            tempfile::tempdir().unwrap(),
        )
        .await
    }

    /// Stops the app gracefully and returns how `run_until` ended. The
    /// database stays readable through `store`.
    pub async fn stop(&mut self) -> anyhow::Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        self.task
            .take()
            .expect("the app runs until stopped once")
            .await
            .unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

pub fn dispatch_request(event_type: &str, payload_json: &str) -> DispatchRequest {
    DispatchRequest {
        event_type: event_type.to_owned(),
        body: Some(Body::PayloadJson(payload_json.to_owned())),
        ..Default::default()
    }
}

/// How often `eventually` and `consistently` check their condition.
const POLL: Duration = Duration::from_millis(20);

/// Polls `condition` until it holds; `Err` after `within`.
pub async fn eventually<F, Fut>(within: Duration, mut condition: F) -> Result<(), ()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    loop {
        if condition().await {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(());
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Polls `condition` for the whole of `window`; `Err` as soon as it fails.
/// For proving that something does not happen: the window is the claim, so
/// this always takes `window` when it passes.
pub async fn consistently<F, Fut>(window: Duration, mut condition: F) -> Result<(), ()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let failed = eventually(window, || {
        let check = condition();
        async move { !check.await }
    });
    match failed.await {
        Ok(()) => Err(()),
        Err(()) => Ok(()),
    }
}

/// Verifies a received request's signature with the crate's own verifier.
pub fn assert_signed(request: &receiver::Received, secret: &str) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    webhookd::signing::verify(
        &[secret.as_bytes()],
        &request.body,
        request.header("x-webhook-timestamp"),
        request.header("x-webhook-signature"),
        now,
        webhookd::signing::DEFAULT_TOLERANCE,
    )
    .expect("the signature verifies");
}

/// A protobuf `Struct` from JSON object text.
pub fn serde_json_to_struct(json: &str) -> prost_types::Struct {
    fn convert(value: serde_json::Value) -> prost_types::Value {
        use prost_types::value::Kind;
        let kind = match value {
            serde_json::Value::Null => Kind::NullValue(0),
            serde_json::Value::Bool(b) => Kind::BoolValue(b),
            serde_json::Value::Number(n) => Kind::NumberValue(n.as_f64().unwrap()),
            serde_json::Value::String(s) => Kind::StringValue(s),
            serde_json::Value::Array(items) => Kind::ListValue(prost_types::ListValue {
                values: items.into_iter().map(convert).collect(),
            }),
            serde_json::Value::Object(map) => Kind::StructValue(prost_types::Struct {
                fields: map.into_iter().map(|(k, v)| (k, convert(v))).collect(),
            }),
        };
        prost_types::Value { kind: Some(kind) }
    }
    match convert(serde_json::from_str(json).unwrap()).kind {
        Some(prost_types::value::Kind::StructValue(s)) => s,
        _ => panic!("not an object"),
    }
}

/// p99 of the dispatch-to-receipt latencies of `count` events sent to
/// `receiver` (whose requests are drained as they arrive).
pub async fn p99_to_receipt(
    app: &TestApp,
    receiver: &mut Receiver,
    event_type: &str,
    count: usize,
) -> Duration {
    let mut acked = std::collections::HashMap::new();
    for n in 0..count {
        let response = app.dispatch(event_type, &format!("{{\"n\":{n}}}")).await;
        acked.insert(response.event_id, Instant::now());
    }
    let mut latencies = Vec::with_capacity(count);
    while latencies.len() < count {
        let request = receiver.next_request(Duration::from_secs(15)).await;
        if let Some(ack) = acked.get(request.header("x-webhook-id")) {
            latencies.push(request.at.saturating_duration_since(*ack));
        }
    }
    latencies.sort();
    latencies[(latencies.len() * 99).div_ceil(100) - 1]
}

/// (code, reason, metadata "limit", violated fields) of a failed call.
pub fn details(status: &tonic::Status) -> (tonic::Code, String, Option<String>, Vec<String>) {
    let details = tonic_types::StatusExt::get_error_details(status);
    let info = details
        .error_info()
        .unwrap_or_else(|| panic!("no ErrorInfo in {status:?}"));
    assert_eq!(info.domain, "webhookd");
    let fields = details
        .bad_request()
        .map(|bad| {
            bad.field_violations
                .iter()
                .map(|v| v.field.clone())
                .collect()
        })
        .unwrap_or_default();
    (
        status.code(),
        info.reason.clone(),
        info.metadata.get("limit").cloned(),
        fields,
    )
}
