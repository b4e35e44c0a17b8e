//! The vocabulary of the store traits: what a dispatch routes to, what a
//! claim leases, what an attempt records, which rows a query selects, and
//! the figures metrics read. The entities themselves live in `domain`.

use secrecy::SecretString;

use crate::domain::{
    AttemptRecord, CustomHeaders, DeliveryId, DeliveryState, EndpointId, EventId, EventPattern,
    EventType, RetrySchedule, SignatureScheme, TraceContext,
};

/// Which endpoints an event goes to.
#[derive(Debug, Clone)]
pub enum Routing {
    /// Every active endpoint whose patterns match the event type.
    Subscribed,
    /// Exactly these endpoints, which must exist and be active.
    Targeted(Vec<EndpointId>),
    /// webhookd's own events: these endpoints where they exist, active or
    /// not (a disabled one's deliveries wait, paused, like any other).
    Operational(Vec<EndpointId>),
}

/// A delivery created by a dispatch or a replay, and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutedDelivery {
    pub id: DeliveryId,
    pub endpoint_id: EndpointId,
    /// Leased by its dispatch and already handed to this process's
    /// deliveries (see `FreshStarts`), which announced it; the others wait
    /// for a claim.
    pub started: bool,
    /// Its endpoint is disabled: no claim takes it until the endpoint is
    /// enabled, and enabling wakes the scheduler, so its dispatch need not.
    pub paused: bool,
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
    /// Most pending rows a claim reads per endpoint: no endpoint can take
    /// more than the whole claim, and reading no more keeps a claim cheap
    /// however large one endpoint's backlog is.
    pub fn rows_per_endpoint(limit: usize) -> i64 {
        i64::try_from(limit).unwrap_or(i64::MAX)
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

/// Where a dispatch hands the new deliveries that may start at once. The
/// dispatch inserts them already leased to this process and they start as
/// soon as it commits, so no claim has to find them: at ordinary rates that
/// claim, and the read of the next due time after it, cost more than the
/// dispatch itself (docs/benchmarks.md). Deliveries of a paused endpoint,
/// of an ordering key, or beyond the room given here are inserted pending,
/// for the scheduler to claim in due order.
pub trait FreshStarts: Send + Sync {
    /// How many new deliveries may start now, of all endpoints together.
    fn free_slots(&self) -> usize;

    /// How many new deliveries of `endpoint` may start now; `limit` is its
    /// own concurrency limit, if it has one.
    fn endpoint_room(&self, endpoint: &str, limit: Option<u32>) -> usize;

    /// The lease of the deliveries one write batch starts.
    fn lease(&self, now: i64) -> FreshLease;

    /// Announces and starts deliveries whose dispatch committed with them
    /// leased per `lease`.
    fn start(&self, deliveries: Vec<ClaimedDelivery>);
}

/// A lease `FreshStarts` grants: who holds it, its token, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreshLease {
    pub owner: String,
    pub token: String,
    pub until: i64,
}

/// A lease request: who claims, until when.
#[derive(Debug, Clone)]
pub struct Lease<'a> {
    pub owner: &'a str,
    pub token: &'a str,
    pub now: i64,
    pub until: i64,
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
    /// Static headers added to the request.
    pub headers: CustomHeaders,
    /// The endpoint's own retry schedule, if it has one.
    pub retry_schedule: Option<RetrySchedule>,
    /// Fences the result: it is recorded only if the lease still holds.
    pub lease_token: String,
    /// Its event's ordering key.
    pub ordering_key: Option<String>,
    /// The producer's trace context, if Dispatch carried one.
    pub trace: Option<TraceContext>,
}

#[derive(Debug, Clone)]
pub enum ClaimOutcome {
    Claimed(Vec<ClaimedDelivery>),
    NothingDue,
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
    /// The delivery's ordering key: when it finishes, the next delivery of
    /// the key is released.
    pub ordering_key: Option<String>,
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

/// Most rows one page may hold.
pub const MAX_PAGE_SIZE: usize = crate::limits::MAX_PAGE_SIZE;

/// Rows a bulk replay writes per statement.
pub const REPLAY_PAGE: usize = 500;

/// Delivery ids a bulk replay returns (the count covers all of them).
pub const REPLAY_IDS_RETURNED: usize = 1000;

/// Selects deliveries; unset fields match everything.
#[derive(Debug, Clone, Default)]
pub struct DeliveryQuery {
    /// Events created at or after (unix ms).
    pub start: Option<i64>,
    /// Events created before (unix ms).
    pub end: Option<i64>,
    pub event_types: Vec<EventPattern>,
    pub endpoint_id: Option<EndpointId>,
    pub states: Vec<DeliveryState>,
}

/// Selects events; unset fields match everything.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub event_types: Vec<EventPattern>,
    /// Only events with a delivery to this endpoint.
    pub endpoint_id: Option<EndpointId>,
}

/// Where to send a replayed event.
#[derive(Debug, Clone)]
pub enum ReplayTargets {
    /// The endpoints of the event's original deliveries.
    Original,
    /// These endpoints, subscribed or not.
    Endpoints(Vec<EndpointId>),
}

/// What a bulk replay did (or would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkReplay {
    pub count: u64,
    /// The first `REPLAY_IDS_RETURNED` new deliveries.
    pub deliveries: Vec<RoutedDelivery>,
}

/// Which dead letters to redrive.
#[derive(Debug, Clone)]
pub enum RedriveSelection {
    Ids(Vec<DeliveryId>),
    Matching(DeliveryQuery),
}

/// What retention removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Purged {
    pub deliveries: u64,
    pub attempts: u64,
    pub events: u64,
}

/// Attempts of one kind, for metrics: grouped by endpoint, time bucket,
/// duration, status class and error kind.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttemptStat {
    pub endpoint_id: String,
    /// `(started_at - since) / bucket_ms`.
    pub bucket: i64,
    pub duration_ms: i64,
    /// `http_status / 100`; `None` when no response arrived.
    pub status_class: Option<i64>,
    pub error_kind: Option<String>,
    pub count: i64,
}

/// Pending deliveries of one endpoint.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PendingStat {
    pub endpoint_id: String,
    pub count: i64,
    pub oldest_created_at: i64,
}

/// A recent attempt with its delivery's context, for the dashboard feed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RecentAttempt {
    pub delivery_id: String,
    pub event_id: String,
    pub endpoint_id: String,
    pub event_type: String,
    pub attempt_number: i64,
    pub started_at: i64,
    pub duration_ms: i64,
    pub http_status: Option<i64>,
    pub error_kind: Option<String>,
    pub error_message: Option<String>,
}

/// A recorded attempt with its delivery's current state, for replaying
/// stream history from the store.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttemptHistory {
    pub delivery_id: String,
    pub event_id: String,
    pub endpoint_id: String,
    pub event_type: String,
    pub attempt_number: i64,
    pub started_at: i64,
    pub duration_ms: i64,
    pub http_status: Option<i64>,
    pub error_kind: Option<String>,
    /// The delivery's state and attempt count now.
    pub state: String,
    pub attempt_count: i64,
    pub next_attempt_at: i64,
}
