//! The store contract: every method of every store trait, called directly
//! on a fresh store of each backend (no gRPC, no scheduler), with fixed
//! clock values instead of waiting. What one backend does, the other must
//! do too (DESIGN.md, promise 5).
//!
//! A few methods take their time from the wall clock rather than from the
//! caller (the group-commit writer stamps `updated_at` when it records an
//! attempt; `release_leases` and `recover_at_start` likewise): tests of
//! what depends on those times read the recorded value back instead of
//! assuming one.

mod admin;
mod attempts;
mod config_sync;
mod endpoints;
mod events;
mod leases;
mod lists;
mod metrics;
mod queue;
mod replay;
mod retention;

use std::sync::Arc;

use tempfile::TempDir;
use webhookd::config::DatabaseConfig;
use webhookd::domain::{
    AttemptRecord, CanonicalPayload, DeliveryId, DeliveryRecord, EndpointId, EndpointSpec,
    ErrorKind, Event, EventId, EventPattern, EventType, TargetUrl,
};
use webhookd::store::{
    AttemptResult, ClaimOutcome, ClaimedDelivery, DeliveryTransition, DispatchOutcome,
    EndpointRoom, EndpointVerdict, Lease, MAX_PAGE_SIZE, RecordOutcome, RoutedDelivery, Routing,
    Store,
};

use crate::common::Backend;

/// A fixed "now" for the tests, in unix milliseconds; far from the wall
/// clock, so a time the store took from the wall clock stands out.
pub const T0: i64 = 1_000_000;

/// How long the tests' leases last.
pub const LEASE_MS: i64 = 30_000;

/// A migrated, empty store of one backend, and what it needs to live.
pub struct TestStore {
    pub store: Arc<dyn Store>,
    pub url: String,
    /// Holds the SQLite file.
    _dir: TempDir,
}

/// Opens a store on an empty database of `backend` and migrates it.
pub async fn fresh_store(backend: &Backend) -> TestStore {
    fresh_store_with(backend, DatabaseConfig::default()).await
}

/// As `fresh_store`, with `config`'s settings but its url.
pub async fn fresh_store_with(backend: &Backend, config: DatabaseConfig) -> TestStore {
    let dir = tempfile::tempdir().unwrap();
    let url = backend.fresh_database_url(dir.path()).await;
    let store = connect_with(DatabaseConfig {
        url: url.clone(),
        ..config
    })
    .await;
    store.migrate().await.expect("migrations apply");
    TestStore {
        store,
        url,
        _dir: dir,
    }
}

/// Opens another store on the database at `url` (a second instance).
pub async fn connect(url: &str) -> Arc<dyn Store> {
    connect_with(DatabaseConfig {
        url: url.to_owned(),
        ..DatabaseConfig::default()
    })
    .await
}

async fn connect_with(config: DatabaseConfig) -> Arc<dyn Store> {
    webhookd::store::connect(&config)
        .await
        .expect("the test database accepts connections")
}

/// An active endpoint subscribed to `patterns`, signed with the default
/// secret.
pub fn endpoint(id: &str, patterns: &[&str]) -> EndpointSpec {
    EndpointSpec {
        id: EndpointId::parse(id).unwrap(),
        url: TargetUrl::parse(&format!("https://hooks.example.com/{id}")).unwrap(),
        event_patterns: patterns
            .iter()
            .map(|pattern| EventPattern::parse(pattern).unwrap())
            .collect(),
        secret: None,
        signature_scheme: Default::default(),
        active: true,
        max_concurrent: None,
        headers: Default::default(),
        retry_schedule: None,
        filter: None,
    }
}

/// A new event of `event_type` created at `created_at`, without a key.
pub fn event(event_type: &str, created_at: i64) -> Event {
    event_with(event_type, r#"{"n":1}"#, created_at)
}

pub fn event_with(event_type: &str, payload_json: &str, created_at: i64) -> Event {
    Event {
        id: EventId::generate(),
        event_type: EventType::parse(event_type).unwrap(),
        payload: CanonicalPayload::from_json_text(payload_json, 64 * 1024).unwrap(),
        idempotency_key: None,
        created_at,
        ordering_key: None,
        trace: None,
    }
}

pub fn id(raw: &str) -> EndpointId {
    EndpointId::parse(raw).unwrap()
}

/// Room for everything: no exclusions, generous limits.
pub const ANY_ROOM: EndpointRoom<'static> = EndpointRoom {
    excluded: &[],
    room: &[],
    default_limit: 1000,
    prefetch_factor: 1,
};

/// A lease for `owner` with token `token`, taken at `now`.
pub fn lease<'a>(owner: &'a str, token: &'a str, now: i64) -> Lease<'a> {
    Lease {
        owner,
        token,
        now,
        until: now + LEASE_MS,
    }
}

/// The claimed deliveries' ids, in claim order.
pub fn ids_of(claimed: &[ClaimedDelivery]) -> Vec<&DeliveryId> {
    claimed.iter().map(|d| &d.delivery_id).collect()
}

/// An attempt at `claimed` that started at `started_at` and moves the
/// delivery to `transition`: a 200 for `Succeeded`, a 500 otherwise.
pub fn attempt(
    claimed: &ClaimedDelivery,
    started_at: i64,
    transition: DeliveryTransition,
) -> AttemptResult {
    let succeeded = transition == DeliveryTransition::Succeeded;
    AttemptResult {
        lease_token: claimed.lease_token.clone(),
        endpoint_id: claimed.endpoint_id.clone(),
        ordering_key: claimed.ordering_key.clone(),
        attempt: AttemptRecord {
            delivery_id: claimed.delivery_id.clone(),
            attempt_number: claimed.attempt_number,
            started_at,
            duration_ms: 25,
            http_status: Some(if succeeded { 200 } else { 500 }),
            error_kind: (!succeeded).then_some(ErrorKind::Http5xx),
            error_message: (!succeeded).then(|| "HTTP 500".to_owned()),
            response_excerpt: Some("ok".to_owned()),
            instance_id: Some("instance-a".to_owned()),
        },
        transition,
        verdict: if succeeded {
            EndpointVerdict::Healthy
        } else {
            EndpointVerdict::Failing {
                disable_after: 1000,
            }
        },
    }
}

impl TestStore {
    /// Creates API endpoints at `T0`.
    pub async fn create_endpoints(&self, specs: &[EndpointSpec]) {
        for spec in specs {
            self.store.create_endpoint(spec, T0).await.unwrap();
        }
    }

    /// Dispatches to the subscribed endpoints; the event must be new.
    pub async fn dispatch(&self, event: Event) -> (EventId, Vec<RoutedDelivery>) {
        match self.store.dispatch(event, Routing::Subscribed).await {
            Ok(DispatchOutcome::Created {
                event_id,
                deliveries,
            }) => (event_id, deliveries),
            other => panic!("expected a new event, got {other:?}"),
        }
    }

    /// Dispatches an event of `event_type` at `created_at` and returns its
    /// one delivery.
    pub async fn dispatch_one(&self, event_type: &str, created_at: i64) -> RoutedDelivery {
        let (_, mut deliveries) = self.dispatch(event(event_type, created_at)).await;
        assert_eq!(deliveries.len(), 1, "routed to exactly one endpoint");
        deliveries.pop().unwrap()
    }

    /// Claims up to `limit` due deliveries at `now` for `owner`.
    pub async fn claim(
        &self,
        owner: &str,
        token: &str,
        now: i64,
        limit: usize,
    ) -> Vec<ClaimedDelivery> {
        match self
            .store
            .claim_due(lease(owner, token, now), limit, &ANY_ROOM)
            .await
            .unwrap()
        {
            ClaimOutcome::Claimed(claimed) => claimed,
            ClaimOutcome::NothingDue => Vec::new(),
        }
    }

    /// Claims the one delivery due at `now`.
    pub async fn claim_one(&self, token: &str, now: i64) -> ClaimedDelivery {
        let mut claimed = self.claim("instance-a", token, now, 10).await;
        assert_eq!(claimed.len(), 1, "exactly one delivery is due");
        claimed.pop().unwrap()
    }

    /// Disables the endpoint `raw` as an operator would, at `T0`.
    pub async fn disable(&self, raw: &str) {
        self.store
            .set_endpoint_active(&id(raw), false, None, T0)
            .await
            .unwrap();
    }

    pub async fn record(&self, result: AttemptResult) -> RecordOutcome {
        self.store.record_attempt(result).await.unwrap()
    }

    /// Claims the one due delivery and records a failed last attempt: a
    /// dead letter.
    pub async fn dead_letter(&self, token: &str, now: i64) -> DeliveryId {
        let claimed = self.claim_one(token, now).await;
        let outcome = self
            .record(attempt(&claimed, now, DeliveryTransition::Dead))
            .await;
        assert_eq!(outcome, RecordOutcome::Recorded { disabled: None });
        claimed.delivery_id
    }

    /// The delivery as stored now.
    pub async fn delivery(&self, id: &DeliveryId) -> DeliveryRecord {
        self.all_deliveries()
            .await
            .into_iter()
            .find(|delivery| &delivery.id == id)
            .unwrap_or_else(|| panic!("delivery {id} is stored"))
    }

    /// Every delivery, oldest first.
    pub async fn all_deliveries(&self) -> Vec<DeliveryRecord> {
        let mut all: Vec<DeliveryRecord> = Vec::new();
        loop {
            let after = all.last().map(|delivery| delivery.id.to_string());
            let page = self
                .store
                .list_deliveries(&Default::default(), after.as_deref(), MAX_PAGE_SIZE)
                .await
                .unwrap();
            if page.is_empty() {
                return all;
            }
            all.extend(page);
        }
    }
}
