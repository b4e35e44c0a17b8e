//! Durable storage: the `Store` trait and its backends.
//!
//! Every backend keeps the same promises: `dispatch` commits the event and
//! its deliveries in one transaction; events and attempts are append-only;
//! claims are leases that fence late results.

mod batch;
mod lock;
pub mod log;
mod postgres;
mod rows;
mod sqlite;

pub use batch::WriteHealth;
pub use lock::{DatabaseLock, LockError, lock_database, sqlite_file};
pub use log::EventLog;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use secrecy::SecretString;

use crate::config::DatabaseConfig;
use crate::domain::{
    CanonicalPayload, DeliveryId, DeliveryState, EndpointId, ErrorKind, EventId, EventType,
    SignatureScheme,
};

/// Milliseconds since the unix epoch on this process's wall clock, the one
/// clock every stored time uses.
pub fn now_millis() -> i64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("endpoint `{0}` does not exist")]
    EndpointNotFound(String),
    #[error("endpoint `{0}` is not active")]
    EndpointInactive(String),
    #[error("endpoint `{0}` already exists")]
    EndpointExists(String),
    #[error("event `{0}` does not exist")]
    EventNotFound(String),
    #[error("API key `{0}` does not exist")]
    ApiKeyNotFound(String),
    #[error("API key `{0}` already exists")]
    ApiKeyExists(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

/// An endpoint as configured, to be upserted at start.
#[derive(Debug, Clone)]
pub struct EndpointSpec {
    pub id: EndpointId,
    pub url: String,
    pub event_patterns: Vec<String>,
    pub secret: Option<SecretString>,
    pub signature_scheme: SignatureScheme,
    pub active: bool,
    /// The endpoint's own concurrency limit.
    pub max_concurrent: Option<u32>,
}

impl EndpointSpec {
    /// The event patterns as the JSON array stored in `event_patterns`.
    pub fn patterns_json(&self) -> String {
        serde_json::to_string(&self.event_patterns).expect("a list of strings always serialises")
    }
}

/// An event, as dispatched and as stored: never changed once written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: EventId,
    pub event_type: EventType,
    pub payload: CanonicalPayload,
    pub idempotency_key: Option<String>,
    pub created_at: i64,
}

/// Which endpoints an event goes to.
#[derive(Debug, Clone)]
pub enum Routing {
    /// Every active endpoint whose patterns match the event type.
    Subscribed,
    /// Exactly these endpoints, which must exist and be active.
    Targeted(Vec<EndpointId>),
}

/// A delivery created by a dispatch, and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutedDelivery {
    pub id: DeliveryId,
    pub endpoint_id: EndpointId,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DispatchOutcome {
    Created {
        event_id: EventId,
        deliveries: Vec<RoutedDelivery>,
    },
    /// The idempotency key was used before; nothing new was stored.
    Duplicate {
        event_id: EventId,
        delivery_ids: Vec<DeliveryId>,
    },
}

/// How many more deliveries each endpoint may lease, for a claim.
pub struct EndpointRoom<'a> {
    /// Endpoints to leave alone (circuit open, or nothing more to lease).
    pub excluded: &'a [String],
    /// What the endpoints this process knows may still lease.
    pub room: &'a [(String, usize)],
    /// The limit of endpoints without their own `max_concurrent`.
    pub default_limit: usize,
    /// Others may lease this many times their limit.
    pub prefetch_factor: usize,
}

impl EndpointRoom<'_> {
    /// Rows a claim looks at to fill `limit` slots: enough to skip past a
    /// few endpoints that have little room, bounded so a claim stays cheap
    /// however large the backlog.
    pub fn scan(limit: usize) -> i64 {
        i64::try_from(limit.saturating_mul(4).max(64)).unwrap_or(i64::MAX)
    }

    /// `room` as a JSON object, for the claim statements.
    pub fn room_json(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = self
            .room
            .iter()
            .map(|(endpoint, count)| (endpoint.clone(), (*count).into()))
            .collect();
        serde_json::Value::Object(map).to_string()
    }
}

/// A delivery leased to a worker, with everything needed to attempt it.
#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    pub delivery_id: DeliveryId,
    pub event_id: EventId,
    pub event_type: EventType,
    pub payload: bytes::Bytes,
    pub endpoint_id: EndpointId,
    pub url: String,
    /// `None`: sign with the engine's default secret.
    pub secret: Option<SecretString>,
    /// The secret before the last rotation, and until when it still signs.
    pub previous_secret: Option<(SecretString, i64)>,
    pub signature_scheme: SignatureScheme,
    /// The 1-based number of the attempt about to be made.
    pub attempt_number: u32,
    /// Attempts made before the current retry cycle (a redrive starts one).
    pub cycle_start: u32,
    /// The endpoint's own concurrency limit, if it has one.
    pub max_concurrent: Option<u32>,
    /// Fences the result: it is recorded only if the lease still holds.
    pub lease_token: String,
}

/// The result of one attempt, as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptRecord {
    pub delivery_id: DeliveryId,
    pub attempt_number: u32,
    pub started_at: i64,
    pub duration_ms: i64,
    pub http_status: Option<u16>,
    pub error_kind: Option<ErrorKind>,
    pub error_message: Option<String>,
    pub response_excerpt: Option<String>,
    /// The webhookd instance that made the attempt.
    pub instance_id: Option<String>,
}

/// The state a delivery moves into after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryTransition {
    Succeeded,
    RetryAt(i64),
    Dead,
    Failed,
}

impl DeliveryTransition {
    /// The next attempt time, for a retry.
    pub fn retry_at(self) -> Option<i64> {
        match self {
            DeliveryTransition::RetryAt(at) => Some(at),
            _ => None,
        }
    }

    pub fn state(self) -> DeliveryState {
        match self {
            DeliveryTransition::Succeeded => DeliveryState::Succeeded,
            DeliveryTransition::RetryAt(_) => DeliveryState::Pending,
            DeliveryTransition::Dead => DeliveryState::Dead,
            DeliveryTransition::Failed => DeliveryState::Failed,
        }
    }
}

/// What an attempt says about its endpoint's health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointVerdict {
    /// It answered 2xx: its failure count resets.
    Healthy,
    /// It failed: counted; at `disable_after` consecutive failures it is
    /// disabled.
    Failing { disable_after: u32 },
    /// It answered 410 Gone: disabled at once.
    Gone,
}

/// One attempt's result, to record.
#[derive(Debug, Clone)]
pub struct AttemptResult {
    pub lease_token: String,
    pub endpoint_id: EndpointId,
    pub attempt: AttemptRecord,
    pub transition: DeliveryTransition,
    pub verdict: EndpointVerdict,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordOutcome {
    /// Recorded; `disabled` holds the reason when this attempt disabled
    /// its endpoint.
    Recorded { disabled: Option<String> },
    /// The lease expired or was released before the result arrived; the
    /// attempt is in the history but the delivery's state was not changed.
    LeaseLost,
}

#[derive(Debug, Clone)]
pub enum ClaimOutcome {
    Claimed(Vec<ClaimedDelivery>),
    NothingDue,
}

/// A delivery as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub id: DeliveryId,
    pub event_id: EventId,
    pub endpoint_id: EndpointId,
    pub state: DeliveryState,
    pub attempt_count: u32,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    /// The delivery this one replays.
    pub replay_of: Option<DeliveryId>,
    pub created_at: i64,
    pub updated_at: i64,
    pub event_type: EventType,
}

/// A lease request: who claims, until when.
#[derive(Debug, Clone)]
pub struct Lease<'a> {
    pub owner: &'a str,
    pub token: &'a str,
    pub now: i64,
    pub until: i64,
}

#[async_trait]
pub trait Store: EventLog + Send + Sync + 'static {
    /// Applies pending migrations.
    async fn migrate(&self) -> Result<(), StoreError>;

    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Why writes fail right now (the last write batch failed, or the
    /// database was lost); `None` while they commit.
    fn write_failure(&self) -> Option<String>;

    /// Commits a probe write, about the size of a small batch, through the
    /// same writers as dispatches; `Ok` once writes commit again.
    async fn probe_write(&self) -> Result<(), StoreError>;

    /// Checks that the database is still the one opened at start. SQLite:
    /// the file was not deleted or replaced underneath the process; if it
    /// was, new events are refused from then on, since they would be
    /// acknowledged into a file that no restart can find.
    fn check_database_file(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Stores the event and one pending delivery per routed endpoint in one
    /// transaction.
    async fn dispatch(&self, event: Event, routing: Routing)
    -> Result<DispatchOutcome, StoreError>;

    /// Leases up to `limit` due deliveries of enabled endpoints, except
    /// those `room` excludes, and no more of an endpoint's than it has room
    /// for.
    async fn claim_due(
        &self,
        lease: Lease<'_>,
        limit: usize,
        room: &EndpointRoom<'_>,
    ) -> Result<ClaimOutcome, StoreError>;

    /// Appends the attempt and, if its lease token still holds the lease,
    /// moves the delivery and updates the endpoint's failure count
    /// (disabling it when the verdict says so).
    async fn record_attempt(&self, result: AttemptResult) -> Result<RecordOutcome, StoreError>;

    /// Puts a claimed delivery back without an attempt, due at `at` (the
    /// endpoint's circuit or concurrency limit held it back).
    async fn release_delivery(
        &self,
        id: &DeliveryId,
        lease_token: &str,
        at: i64,
    ) -> Result<(), StoreError>;

    /// Makes deliveries whose lease expired before `now` claimable again.
    async fn reclaim_expired_leases(&self, now: i64) -> Result<u64, StoreError>;

    /// Returns the leased deliveries of `owner` to `pending` without spending
    /// an attempt (graceful shutdown).
    async fn release_leases(&self, owner: &str) -> Result<u64, StoreError>;

    /// Makes the deliveries a crashed predecessor held claimable at once, as
    /// far as the backend can tell safely. SQLite serves one instance per
    /// file, so every lease at start is orphaned and released; a shared
    /// database leaves leases to expire.
    async fn recover_at_start(&self) -> Result<u64, StoreError>;

    /// The earliest `next_attempt_at` of a pending delivery, or the earliest
    /// lease expiry, whichever comes first.
    async fn next_wakeup_at(&self, excluded: &[String]) -> Result<Option<i64>, StoreError>;

    /// Wakes `wake` whenever another instance dispatches work, until the
    /// future is dropped. Backends without other instances never wake it.
    async fn watch_remote_work(&self, wake: Arc<tokio::sync::Notify>) {
        let _ = wake;
        std::future::pending::<()>().await;
    }
}

/// Opens the store named by `config.url`.
pub async fn connect(config: &DatabaseConfig) -> Result<Arc<dyn Store>, StoreError> {
    if config.url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(config).await?))
    } else {
        Ok(Arc::new(PgStore::connect(config).await?))
    }
}

/// The URL without its password, for messages.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => raw.to_owned(),
    }
}
