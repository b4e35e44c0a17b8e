//! The event log, replay, dead letters and endpoint management: the
//! operations that read and change history on operators' behalf.
//!
//! The SQL is the same on both backends (placeholders are `$N`, which SQLite
//! accepts too), so `impl_event_log!` writes the implementation once and
//! instantiates it for each backend's pool type.

use async_trait::async_trait;
use secrecy::SecretString;

use super::{AttemptRecord, DeliveryRecord, Event, RoutedDelivery, StoreError};
use crate::domain::{DeliveryId, DeliveryState, EndpointId, EventId, EventPattern};

/// Most rows one page may hold.
pub const MAX_PAGE_SIZE: usize = crate::limits::MAX_PAGE_SIZE;

/// Rows a bulk replay writes per transaction.
pub const REPLAY_PAGE: usize = 500;

/// Delivery ids a bulk replay returns (the count covers all of them).
pub const REPLAY_IDS_RETURNED: usize = 1000;

/// An endpoint as stored, without its secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointRecord {
    pub id: EndpointId,
    pub url: String,
    pub event_patterns: Vec<String>,
    pub active: bool,
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<i64>,
    pub origin: String,
    /// The last 4 characters of its own secret; `None` when it signs with
    /// the default secret.
    pub secret_hint: Option<String>,
    pub previous_secret_expires_at: Option<i64>,
    pub signature_scheme: crate::domain::SignatureScheme,
    /// The `whpk_` key receivers verify with, for ed25519 (`whsk_`) secrets.
    pub public_key: Option<String>,
    pub consecutive_failures: u32,
    /// Disabled by webhookd itself (failures, 410), not by an operator.
    pub auto_disabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

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

/// Changes to an endpoint; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct EndpointChanges {
    pub url: Option<String>,
    pub event_patterns: Option<Vec<String>>,
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

/// What retention removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Purged {
    pub deliveries: u64,
    pub attempts: u64,
    pub events: u64,
}

#[async_trait]
pub trait EventLog: Send + Sync {
    /// Writes the endpoints of the config file: each is created, or
    /// overwritten if its id exists (even as an API endpoint). Config
    /// endpoints no longer in the file are deleted.
    async fn sync_config_endpoints(
        &self,
        endpoints: &[super::EndpointSpec],
        now: i64,
    ) -> Result<(), StoreError>;

    async fn get_event(&self, id: &EventId) -> Result<Option<Event>, StoreError>;

    /// Every delivery of the event, replays included, oldest first.
    async fn deliveries_for_event(&self, id: &EventId) -> Result<Vec<DeliveryRecord>, StoreError>;

    async fn attempts_for_delivery(
        &self,
        id: &DeliveryId,
    ) -> Result<Vec<AttemptRecord>, StoreError>;

    /// Events matching `query` with ids above `after`, oldest first.
    async fn list_events(
        &self,
        query: &EventQuery,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Event>, StoreError>;

    /// Deliveries matching `query` with ids above `after`, oldest first.
    async fn list_deliveries(
        &self,
        query: &DeliveryQuery,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<DeliveryRecord>, StoreError>;

    /// Creates one new delivery of the event per target, due at `now`.
    async fn replay_event(
        &self,
        event_id: &EventId,
        targets: &ReplayTargets,
        now: i64,
    ) -> Result<Vec<RoutedDelivery>, StoreError>;

    /// Creates a new delivery for every delivery matching `query`, page by
    /// page; the n-th becomes due at `now + n * spacing_ms`. With `dry_run`,
    /// only counts.
    async fn replay_matching(
        &self,
        query: &DeliveryQuery,
        dry_run: bool,
        spacing_ms: i64,
        now: i64,
    ) -> Result<BulkReplay, StoreError>;

    /// Moves dead-lettered deliveries back to pending with a fresh retry
    /// cycle; returns how many (or would, with `dry_run`).
    async fn redrive(
        &self,
        selection: &RedriveSelection,
        dry_run: bool,
        now: i64,
    ) -> Result<u64, StoreError>;

    /// Deletes dead letters last changed before `cutoff`, their attempts,
    /// and events left without deliveries.
    async fn purge_dead_letters(&self, cutoff: i64) -> Result<Purged, StoreError>;

    async fn get_endpoint(&self, id: &EndpointId) -> Result<Option<EndpointRecord>, StoreError>;

    /// The endpoint's own signing secret (`None`: the default one), for
    /// webhookd's own requests such as recovery probes.
    async fn endpoint_secret(&self, id: &EndpointId) -> Result<Option<SecretString>, StoreError>;

    /// Attempts started at or after `since`, grouped for metrics (see
    /// `AttemptStat`); only `endpoint`'s when given.
    async fn attempt_stats(
        &self,
        since: i64,
        bucket_ms: i64,
        endpoint: Option<&EndpointId>,
    ) -> Result<Vec<AttemptStat>, StoreError>;

    /// Deliveries dead-lettered at or after `since`.
    async fn dead_lettered_since(
        &self,
        since: i64,
        endpoint: Option<&EndpointId>,
    ) -> Result<u64, StoreError>;

    /// Pending deliveries per endpoint.
    async fn pending_by_endpoint(&self) -> Result<Vec<PendingStat>, StoreError>;

    /// Attempts started at or after `since`, oldest first, at most `limit`.
    async fn attempt_history(
        &self,
        since: i64,
        limit: usize,
    ) -> Result<Vec<AttemptHistory>, StoreError>;

    /// The latest attempts, newest first; only failed ones with `failed_only`.
    async fn recent_attempts(
        &self,
        failed_only: bool,
        limit: usize,
    ) -> Result<Vec<RecentAttempt>, StoreError>;

    async fn list_endpoints(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<EndpointRecord>, StoreError>;

    /// Creates an endpoint of origin `api`; `AlreadyExists` for a live id.
    async fn create_endpoint(
        &self,
        spec: &super::EndpointSpec,
        now: i64,
    ) -> Result<EndpointRecord, StoreError>;

    async fn update_endpoint(
        &self,
        id: &EndpointId,
        changes: &EndpointChanges,
        now: i64,
    ) -> Result<EndpointRecord, StoreError>;

    /// Deletes the endpoint and cancels its unfinished deliveries; returns
    /// how many were cancelled.
    async fn delete_endpoint(&self, id: &EndpointId, now: i64) -> Result<u64, StoreError>;

    /// Enables (resetting the failure count) or disables the endpoint.
    async fn set_endpoint_active(
        &self,
        id: &EndpointId,
        active: bool,
        reason: Option<&str>,
        now: i64,
    ) -> Result<EndpointRecord, StoreError>;

    /// Replaces the secret; the one it replaces (`default_secret` for an
    /// endpoint without its own) stays valid until `grace_until`.
    async fn rotate_endpoint_secret(
        &self,
        id: &EndpointId,
        new_secret: &SecretString,
        default_secret: &SecretString,
        grace_until: i64,
        now: i64,
    ) -> Result<EndpointRecord, StoreError>;

    /// Stores a new API key; `ApiKeyExists` when the name is taken.
    async fn create_api_key(&self, key: &StoredApiKey) -> Result<(), StoreError>;

    /// Every API key created over the API, revoked ones included, by name.
    async fn list_api_keys(&self) -> Result<Vec<StoredApiKey>, StoreError>;

    /// Marks a key revoked at `now` and returns it as it was before.
    async fn revoke_api_key(&self, name: &str, now: i64) -> Result<StoredApiKey, StoreError>;
}

/// An API key created over the API: its SHA-256, never the key.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredApiKey {
    pub name: String,
    /// Lowercase hex.
    pub key_sha256: String,
    /// `dispatch`, `read` or `admin`.
    pub role: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// The LIKE pattern of a prefix pattern, with LIKE's wildcards escaped.
pub(super) fn like_prefix(prefix: &str) -> String {
    let escaped = prefix
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("{escaped}.%")
}

/// Implements `EventLog` for a store with `read_pool()` and `write_pool()`
/// methods returning pools of database `$db`.
macro_rules! impl_event_log {
    ($store:ty, $db:ty) => {
        impl $store {
            fn push_event_type_filter(
                builder: &mut sqlx::QueryBuilder<'_, $db>,
                patterns: &[$crate::domain::EventPattern],
            ) {
                use $crate::domain::EventPattern;
                if patterns.is_empty() || patterns.contains(&EventPattern::All) {
                    return;
                }
                builder.push(" AND (");
                for (index, pattern) in patterns.iter().enumerate() {
                    if index > 0 {
                        builder.push(" OR ");
                    }
                    match pattern {
                        EventPattern::Exact(exact) => {
                            builder.push("e.event_type = ").push_bind(exact.clone());
                        }
                        EventPattern::Prefix(prefix) => {
                            builder
                                .push("e.event_type LIKE ")
                                .push_bind($crate::store::log::like_prefix(prefix))
                                .push(" ESCAPE '\\'");
                        }
                        EventPattern::All => unreachable!("handled above"),
                    }
                }
                builder.push(")");
            }

            /// Appends ` AND …` conditions on `d` (deliveries) and `e` (events).
            fn push_delivery_filter(
                builder: &mut sqlx::QueryBuilder<'_, $db>,
                query: &$crate::store::log::DeliveryQuery,
            ) {
                if let Some(start) = query.start {
                    builder.push(" AND e.created_at >= ").push_bind(start);
                }
                if let Some(end) = query.end {
                    builder.push(" AND e.created_at < ").push_bind(end);
                }
                if let Some(endpoint) = &query.endpoint_id {
                    builder.push(" AND d.endpoint_id = ").push_bind(endpoint.to_string());
                }
                if !query.states.is_empty() {
                    builder.push(" AND d.state IN (");
                    let mut states = builder.separated(", ");
                    for state in &query.states {
                        states.push_bind(state.as_str());
                    }
                    builder.push(")");
                }
                Self::push_event_type_filter(builder, &query.event_types);
            }

            /// Shared by both backends' `Store::reclaim_expired_leases`.
            async fn reclaim_expired(&self, now: i64) -> Result<u64, $crate::store::StoreError> {
                Ok(sqlx::query(
                    "UPDATE deliveries
                     SET state = 'pending', lease_owner = NULL, lease_token = NULL, leased_until = NULL, updated_at = $1
                     WHERE state = 'in_flight' AND leased_until <= $1",
                )
                .bind(now)
                .execute(self.write_pool())
                .await?
                .rows_affected())
            }

            /// Shared by both backends' `Store::release_leases`.
            async fn release_owned(&self, owner: &str) -> Result<u64, $crate::store::StoreError> {
                Ok(sqlx::query(
                    "UPDATE deliveries
                     SET state = 'pending', lease_owner = NULL, lease_token = NULL, leased_until = NULL, updated_at = $1
                     WHERE state = 'in_flight' AND lease_owner = $2",
                )
                .bind($crate::store::now_millis())
                .bind(owner)
                .execute(self.write_pool())
                .await?
                .rows_affected())
            }

            /// Shared by both backends' `Store::release_delivery`.
            async fn release_claimed(
                &self,
                id: &$crate::domain::DeliveryId,
                lease_token: &str,
                at: i64,
            ) -> Result<(), $crate::store::StoreError> {
                sqlx::query(
                    "UPDATE deliveries SET state = 'pending', next_attempt_at = $1, lease_owner = NULL,
                         lease_token = NULL, leased_until = NULL
                     WHERE id = $2 AND lease_token = $3",
                )
                .bind(at)
                .bind(id.as_str())
                .bind(lease_token)
                .execute(self.write_pool())
                .await?;
                Ok(())
            }

            async fn endpoint_record(
                &self,
                id: &$crate::domain::EndpointId,
            ) -> Result<$crate::store::log::EndpointRecord, $crate::store::StoreError> {
                $crate::store::log::EventLog::get_endpoint(self, id)
                    .await?
                    .ok_or_else(|| $crate::store::StoreError::EndpointNotFound(id.to_string()))
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::log::EventLog for $store {
            async fn sync_config_endpoints(
                &self,
                endpoints: &[$crate::store::EndpointSpec],
                now: i64,
            ) -> Result<(), $crate::store::StoreError> {
                use secrecy::ExposeSecret;
                let mut tx = self.write_pool().begin().await?;
                for endpoint in endpoints {
                    sqlx::query(
                        "INSERT INTO endpoints (id, url, event_patterns, secret, active, max_concurrent, origin, created_at, updated_at, signature_scheme)
                         VALUES ($1, $2, $3, $4, $5, $7, 'config', $6, $6, $8)
                         ON CONFLICT (id) DO UPDATE SET
                             url = excluded.url, event_patterns = excluded.event_patterns, secret = excluded.secret,
                             signature_scheme = excluded.signature_scheme,
                             max_concurrent = excluded.max_concurrent, origin = 'config', deleted_at = NULL,
                             -- An endpoint webhookd disabled itself stays disabled across
                             -- restarts while the file still wants it active: only
                             -- EnableEndpoint or the recovery probe bring it back.
                             active = CASE WHEN endpoints.auto_disabled AND endpoints.deleted_at IS NULL
                                 THEN FALSE ELSE excluded.active END,
                             auto_disabled = (endpoints.auto_disabled AND endpoints.deleted_at IS NULL AND excluded.active),
                             disabled_reason = CASE
                                 WHEN endpoints.auto_disabled AND endpoints.deleted_at IS NULL AND excluded.active THEN endpoints.disabled_reason
                                 WHEN excluded.active THEN NULL ELSE 'inactive in the config file' END,
                             disabled_at = CASE
                                 WHEN endpoints.auto_disabled AND endpoints.deleted_at IS NULL AND excluded.active THEN endpoints.disabled_at
                                 WHEN excluded.active THEN NULL ELSE excluded.updated_at END,
                             updated_at = excluded.updated_at",
                    )
                    .bind(endpoint.id.as_str())
                    .bind(&endpoint.url)
                    .bind(endpoint.patterns_json())
                    .bind(endpoint.secret.as_ref().map(|s| s.expose_secret().to_owned()))
                    .bind(endpoint.active)
                    .bind(now)
                    .bind(endpoint.max_concurrent.map(i64::from))
                    .bind(endpoint.signature_scheme.as_str())
                    .execute(&mut *tx)
                    .await?;
                }
                let configured: Vec<String> = sqlx::query_scalar(
                    "SELECT id FROM endpoints WHERE origin = 'config' AND deleted_at IS NULL",
                )
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                for id in configured {
                    if !endpoints.iter().any(|e| e.id.as_str() == id) {
                        let id = $crate::domain::EndpointId::from_stored(id);
                        let cancelled = $crate::store::log::EventLog::delete_endpoint(self, &id, now).await?;
                        tracing::warn!(endpoint_id = %id, cancelled, "endpoint removed from the config file: deleted");
                    }
                }
                Ok(())
            }

            async fn get_event(
                &self,
                id: &$crate::domain::EventId,
            ) -> Result<Option<$crate::store::Event>, $crate::store::StoreError> {
                let row: Option<$crate::store::rows::EventRow> = sqlx::query_as(
                    "SELECT id, event_type, payload, idempotency_key, created_at FROM events WHERE id = $1",
                )
                .bind(id.as_str())
                .fetch_optional(self.read_pool())
                .await?;
                Ok(row.map($crate::store::Event::from))
            }

            async fn deliveries_for_event(
                &self,
                id: &$crate::domain::EventId,
            ) -> Result<Vec<$crate::store::DeliveryRecord>, $crate::store::StoreError> {
                let rows: Vec<$crate::store::rows::DeliveryRow> = sqlx::query_as(concat!(
                    $crate::store::rows::select_delivery_sql!(),
                    " WHERE d.event_id = $1 ORDER BY d.id"
                ))
                .bind(id.as_str())
                .fetch_all(self.read_pool())
                .await?;
                rows.into_iter().map($crate::store::DeliveryRecord::try_from).collect()
            }

            async fn attempts_for_delivery(
                &self,
                id: &$crate::domain::DeliveryId,
            ) -> Result<Vec<$crate::store::AttemptRecord>, $crate::store::StoreError> {
                let rows: Vec<$crate::store::rows::AttemptRow> = sqlx::query_as(
                    "SELECT delivery_id, attempt_number, started_at, duration_ms, http_status, error_kind,
                            error_message, response_excerpt, instance_id
                     FROM attempts WHERE delivery_id = $1 ORDER BY id",
                )
                .bind(id.as_str())
                .fetch_all(self.read_pool())
                .await?;
                rows.into_iter().map($crate::store::AttemptRecord::try_from).collect()
            }

            async fn list_events(
                &self,
                query: &$crate::store::log::EventQuery,
                after: Option<&str>,
                limit: usize,
            ) -> Result<Vec<$crate::store::Event>, $crate::store::StoreError> {
                let mut builder = sqlx::QueryBuilder::<$db>::new(
                    "SELECT e.id, e.event_type, e.payload, e.idempotency_key, e.created_at FROM events e WHERE 1 = 1",
                );
                if let Some(after) = after {
                    builder.push(" AND e.id > ").push_bind(after.to_owned());
                }
                if let Some(start) = query.start {
                    builder.push(" AND e.created_at >= ").push_bind(start);
                }
                if let Some(end) = query.end {
                    builder.push(" AND e.created_at < ").push_bind(end);
                }
                if let Some(endpoint) = &query.endpoint_id {
                    builder
                        .push(" AND EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.endpoint_id = ")
                        .push_bind(endpoint.to_string())
                        .push(")");
                }
                Self::push_event_type_filter(&mut builder, &query.event_types);
                builder.push(" ORDER BY e.id LIMIT ").push_bind(limit as i64);
                let rows: Vec<$crate::store::rows::EventRow> =
                    builder.build_query_as().fetch_all(self.read_pool()).await?;
                Ok(rows.into_iter().map($crate::store::Event::from).collect())
            }

            async fn list_deliveries(
                &self,
                query: &$crate::store::log::DeliveryQuery,
                after: Option<&str>,
                limit: usize,
            ) -> Result<Vec<$crate::store::DeliveryRecord>, $crate::store::StoreError> {
                let mut builder =
                    sqlx::QueryBuilder::<$db>::new(concat!($crate::store::rows::select_delivery_sql!(), " WHERE 1 = 1"));
                if let Some(after) = after {
                    builder.push(" AND d.id > ").push_bind(after.to_owned());
                }
                Self::push_delivery_filter(&mut builder, query);
                builder.push(" ORDER BY d.id LIMIT ").push_bind(limit as i64);
                let rows: Vec<$crate::store::rows::DeliveryRow> =
                    builder.build_query_as().fetch_all(self.read_pool()).await?;
                rows.into_iter().map($crate::store::DeliveryRecord::try_from).collect()
            }

            async fn replay_event(
                &self,
                event_id: &$crate::domain::EventId,
                targets: &$crate::store::log::ReplayTargets,
                now: i64,
            ) -> Result<Vec<$crate::store::RoutedDelivery>, $crate::store::StoreError> {
                use $crate::store::log::ReplayTargets;
                use $crate::store::StoreError;
                let mut tx = self.write_pool().begin().await?;
                let exists: Option<String> = sqlx::query_scalar("SELECT id FROM events WHERE id = $1")
                    .bind(event_id.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                if exists.is_none() {
                    return Err(StoreError::EventNotFound(event_id.to_string()));
                }
                // (endpoint, the original delivery to it, if any)
                let originals: Vec<(String, String)> = sqlx::query_as(
                    "SELECT endpoint_id, MIN(id) FROM deliveries
                     WHERE event_id = $1 AND replay_of IS NULL GROUP BY endpoint_id ORDER BY endpoint_id",
                )
                .bind(event_id.as_str())
                .fetch_all(&mut *tx)
                .await?;
                let plan: Vec<(String, Option<String>)> = match targets {
                    ReplayTargets::Original => originals.into_iter().map(|(ep, d)| (ep, Some(d))).collect(),
                    ReplayTargets::Endpoints(ids) => {
                        let mut plan: Vec<(String, Option<String>)> = Vec::new();
                        for id in ids {
                            if plan.iter().any(|(ep, _)| ep == id.as_str()) {
                                continue;
                            }
                            let original = originals.iter().find(|(ep, _)| ep == id.as_str()).map(|(_, d)| d.clone());
                            plan.push((id.to_string(), original));
                        }
                        plan
                    }
                };
                for (endpoint, _) in &plan {
                    let state: Option<(bool, Option<i64>)> =
                        sqlx::query_as("SELECT active, deleted_at FROM endpoints WHERE id = $1")
                            .bind(endpoint)
                            .fetch_optional(&mut *tx)
                            .await?;
                    match state {
                        None | Some((_, Some(_))) => return Err(StoreError::EndpointNotFound(endpoint.clone())),
                        Some((false, None)) => return Err(StoreError::EndpointInactive(endpoint.clone())),
                        Some((true, None)) => {}
                    }
                }
                let mut created = Vec::with_capacity(plan.len());
                for (endpoint, replay_of) in plan {
                    let id = $crate::domain::DeliveryId::generate();
                    sqlx::query(
                        "INSERT INTO deliveries (id, event_id, endpoint_id, state, next_attempt_at, replay_of, created_at, updated_at)
                         VALUES ($1, $2, $3, 'pending', $4, $5, $4, $4)",
                    )
                    .bind(id.as_str())
                    .bind(event_id.as_str())
                    .bind(&endpoint)
                    .bind(now)
                    .bind(replay_of)
                    .execute(&mut *tx)
                    .await?;
                    created.push($crate::store::RoutedDelivery {
                        id,
                        endpoint_id: $crate::domain::EndpointId::from_stored(endpoint),
                    });
                }
                tx.commit().await?;
                Ok(created)
            }

            async fn replay_matching(
                &self,
                query: &$crate::store::log::DeliveryQuery,
                dry_run: bool,
                spacing_ms: i64,
                now: i64,
            ) -> Result<$crate::store::log::BulkReplay, $crate::store::StoreError> {
                use $crate::store::log::{BulkReplay, REPLAY_IDS_RETURNED, REPLAY_PAGE};
                let mut counter = sqlx::QueryBuilder::<$db>::new(
                    "SELECT COUNT(*) FROM deliveries d JOIN events e ON e.id = d.event_id WHERE 1 = 1",
                );
                Self::push_delivery_filter(&mut counter, query);
                if dry_run {
                    let count: i64 = counter.build_query_scalar().fetch_one(self.read_pool()).await?;
                    return Ok(BulkReplay {
                        count: count as u64,
                        deliveries: Vec::new(),
                    });
                }
                // Replays get newer ids than everything that exists now, so
                // they can never match this replay's own pages.
                let ceiling: Option<String> =
                    sqlx::query_scalar("SELECT MAX(id) FROM deliveries").fetch_one(self.read_pool()).await?;
                let Some(ceiling) = ceiling else {
                    return Ok(BulkReplay { count: 0, deliveries: Vec::new() });
                };
                let mut after = String::new();
                let mut count: u64 = 0;
                let mut returned = Vec::new();
                loop {
                    let mut page = sqlx::QueryBuilder::<$db>::new(
                        "SELECT d.id, d.event_id, d.endpoint_id FROM deliveries d
                         JOIN events e ON e.id = d.event_id
                         JOIN endpoints ep ON ep.id = d.endpoint_id
                         WHERE ep.deleted_at IS NULL AND d.id > ",
                    );
                    page.push_bind(after.clone()).push(" AND d.id <= ").push_bind(ceiling.clone());
                    Self::push_delivery_filter(&mut page, query);
                    page.push(" ORDER BY d.id LIMIT ").push_bind(REPLAY_PAGE as i64);
                    let rows: Vec<(String, String, String)> =
                        page.build_query_as().fetch_all(self.read_pool()).await?;
                    let Some(last) = rows.last() else { break };
                    after = last.0.clone();
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO deliveries (id, event_id, endpoint_id, state, next_attempt_at, replay_of, created_at, updated_at) ",
                    );
                    let mut page_ids = Vec::with_capacity(rows.len());
                    insert.push_values(rows.iter(), |mut row, (original, event_id, endpoint_id)| {
                        let id = $crate::domain::DeliveryId::generate();
                        let due = now.saturating_add(spacing_ms.saturating_mul(i64::try_from(count).unwrap_or(i64::MAX)));
                        count += 1;
                        row.push_bind(id.to_string())
                            .push_bind(event_id.clone())
                            .push_bind(endpoint_id.clone())
                            .push_bind("pending")
                            .push_bind(due)
                            .push_bind(original.clone())
                            .push_bind(now)
                            .push_bind(now);
                        page_ids.push((id, endpoint_id.clone()));
                    });
                    insert.build().execute(self.write_pool()).await?;
                    for (id, endpoint_id) in page_ids {
                        if returned.len() < REPLAY_IDS_RETURNED {
                            returned.push($crate::store::RoutedDelivery {
                                id,
                                endpoint_id: $crate::domain::EndpointId::from_stored(endpoint_id),
                            });
                        }
                    }
                    if rows.len() < REPLAY_PAGE {
                        break;
                    }
                }
                Ok(BulkReplay { count, deliveries: returned })
            }

            async fn redrive(
                &self,
                selection: &$crate::store::log::RedriveSelection,
                dry_run: bool,
                now: i64,
            ) -> Result<u64, $crate::store::StoreError> {
                use $crate::store::log::RedriveSelection;
                let mut builder = sqlx::QueryBuilder::<$db>::new(if dry_run {
                    "SELECT COUNT(*) FROM deliveries WHERE state = 'dead' AND id IN ("
                } else {
                    "UPDATE deliveries SET state = 'pending', cycle_start = attempt_count, next_attempt_at = "
                });
                if !dry_run {
                    builder
                        .push_bind(now)
                        .push(", updated_at = ")
                        .push_bind(now)
                        .push(" WHERE state = 'dead' AND id IN (");
                }
                match selection {
                    RedriveSelection::Ids(ids) => {
                        let mut list = builder.separated(", ");
                        for id in ids {
                            list.push_bind(id.to_string());
                        }
                        if ids.is_empty() {
                            list.push("NULL");
                        }
                    }
                    RedriveSelection::Matching(query) => {
                        builder.push(
                            "SELECT d.id FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.state = 'dead'",
                        );
                        Self::push_delivery_filter(&mut builder, query);
                    }
                }
                builder.push(")");
                if dry_run {
                    let count: i64 = builder.build_query_scalar().fetch_one(self.read_pool()).await?;
                    Ok(count as u64)
                } else {
                    Ok(builder.build().execute(self.write_pool()).await?.rows_affected())
                }
            }

            async fn purge_dead_letters(
                &self,
                cutoff: i64,
            ) -> Result<$crate::store::log::Purged, $crate::store::StoreError> {
                // Dead letters that a replay points at stay, so the link holds.
                const DOOMED: &str = "SELECT id FROM deliveries d WHERE d.state = 'dead' AND d.updated_at < $1
                     AND NOT EXISTS (SELECT 1 FROM deliveries r WHERE r.replay_of = d.id)";
                let mut tx = self.write_pool().begin().await?;
                let events: Vec<String> = sqlx::query_scalar(&format!(
                    "SELECT DISTINCT event_id FROM deliveries WHERE id IN ({DOOMED})"
                ))
                .bind(cutoff)
                .fetch_all(&mut *tx)
                .await?;
                let attempts = sqlx::query(&format!("DELETE FROM attempts WHERE delivery_id IN ({DOOMED})"))
                    .bind(cutoff)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                let deliveries = sqlx::query(&format!("DELETE FROM deliveries WHERE id IN ({DOOMED})"))
                    .bind(cutoff)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                let mut removed_events = 0;
                for event_id in events {
                    removed_events += sqlx::query(
                        "DELETE FROM events WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM deliveries WHERE event_id = $1)",
                    )
                    .bind(event_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                }
                tx.commit().await?;
                Ok($crate::store::log::Purged {
                    deliveries,
                    attempts,
                    events: removed_events,
                })
            }

            async fn endpoint_secret(
                &self,
                id: &$crate::domain::EndpointId,
            ) -> Result<Option<secrecy::SecretString>, $crate::store::StoreError> {
                let secret: Option<Option<String>> =
                    sqlx::query_scalar("SELECT secret FROM endpoints WHERE id = $1 AND deleted_at IS NULL")
                        .bind(id.as_str())
                        .fetch_optional(self.read_pool())
                        .await?;
                Ok(secret.flatten().map(secrecy::SecretString::from))
            }

            async fn attempt_stats(
                &self,
                since: i64,
                bucket_ms: i64,
                endpoint: Option<&$crate::domain::EndpointId>,
            ) -> Result<Vec<$crate::store::log::AttemptStat>, $crate::store::StoreError> {
                // Grouping in the database keeps the rows few: distinct
                // durations are bounded by the request timeout in ms.
                let mut builder = sqlx::QueryBuilder::<$db>::new(
                    "SELECT d.endpoint_id, (a.started_at - ",
                );
                builder
                    .push_bind(since)
                    .push(") / ")
                    .push_bind(bucket_ms.max(1))
                    .push(
                        " AS bucket, a.duration_ms, a.http_status / 100 AS status_class, a.error_kind, COUNT(*) AS count
                         FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
                         WHERE a.started_at >= ",
                    )
                    .push_bind(since);
                if let Some(endpoint) = endpoint {
                    builder.push(" AND d.endpoint_id = ").push_bind(endpoint.to_string());
                }
                builder.push(" GROUP BY d.endpoint_id, bucket, a.duration_ms, status_class, a.error_kind");
                Ok(builder.build_query_as().fetch_all(self.read_pool()).await?)
            }

            async fn dead_lettered_since(
                &self,
                since: i64,
                endpoint: Option<&$crate::domain::EndpointId>,
            ) -> Result<u64, $crate::store::StoreError> {
                let count: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM deliveries
                     WHERE state = 'dead' AND updated_at >= $1 AND ($2 IS NULL OR endpoint_id = $2)",
                )
                .bind(since)
                .bind(endpoint.map(|e| e.to_string()))
                .fetch_one(self.read_pool())
                .await?;
                Ok(count as u64)
            }

            async fn pending_by_endpoint(
                &self,
            ) -> Result<Vec<$crate::store::log::PendingStat>, $crate::store::StoreError> {
                Ok(sqlx::query_as(
                    "SELECT endpoint_id, COUNT(*) AS count, MIN(created_at) AS oldest_created_at
                     FROM deliveries WHERE state IN ('pending', 'in_flight') GROUP BY endpoint_id",
                )
                .fetch_all(self.read_pool())
                .await?)
            }

            async fn attempt_history(
                &self,
                since: i64,
                limit: usize,
            ) -> Result<Vec<$crate::store::log::AttemptHistory>, $crate::store::StoreError> {
                Ok(sqlx::query_as(
                    "SELECT a.delivery_id, d.event_id, d.endpoint_id, e.event_type, a.attempt_number, a.started_at,
                            a.duration_ms, a.http_status, a.error_kind, d.state, d.attempt_count, d.next_attempt_at
                     FROM attempts a
                     JOIN deliveries d ON d.id = a.delivery_id
                     JOIN events e ON e.id = d.event_id
                     WHERE a.started_at >= $1
                     ORDER BY a.id LIMIT $2",
                )
                .bind(since)
                .bind(limit as i64)
                .fetch_all(self.read_pool())
                .await?)
            }

            async fn recent_attempts(
                &self,
                failed_only: bool,
                limit: usize,
            ) -> Result<Vec<$crate::store::log::RecentAttempt>, $crate::store::StoreError> {
                Ok(sqlx::query_as(
                    "SELECT a.delivery_id, d.event_id, d.endpoint_id, e.event_type, a.attempt_number, a.started_at,
                            a.duration_ms, a.http_status, a.error_kind, a.error_message
                     FROM attempts a
                     JOIN deliveries d ON d.id = a.delivery_id
                     JOIN events e ON e.id = d.event_id
                     WHERE ($1 = FALSE OR a.error_kind IS NOT NULL)
                     ORDER BY a.id DESC LIMIT $2",
                )
                .bind(failed_only)
                .bind(limit as i64)
                .fetch_all(self.read_pool())
                .await?)
            }

            async fn get_endpoint(
                &self,
                id: &$crate::domain::EndpointId,
            ) -> Result<Option<$crate::store::log::EndpointRecord>, $crate::store::StoreError> {
                let row: Option<$crate::store::rows::EndpointRow> = sqlx::query_as(concat!(
                    $crate::store::rows::select_endpoint_sql!(),
                    " WHERE id = $1 AND deleted_at IS NULL"
                ))
                .bind(id.as_str())
                .fetch_optional(self.read_pool())
                .await?;
                row.map($crate::store::log::EndpointRecord::try_from).transpose()
            }

            async fn list_endpoints(
                &self,
                after: Option<&str>,
                limit: usize,
            ) -> Result<Vec<$crate::store::log::EndpointRecord>, $crate::store::StoreError> {
                let rows: Vec<$crate::store::rows::EndpointRow> = sqlx::query_as(concat!(
                    $crate::store::rows::select_endpoint_sql!(),
                    " WHERE deleted_at IS NULL AND id > $1 ORDER BY id LIMIT $2"
                ))
                .bind(after.unwrap_or(""))
                .bind(limit as i64)
                .fetch_all(self.read_pool())
                .await?;
                rows.into_iter().map($crate::store::log::EndpointRecord::try_from).collect()
            }

            async fn create_endpoint(
                &self,
                spec: &$crate::store::EndpointSpec,
                now: i64,
            ) -> Result<$crate::store::log::EndpointRecord, $crate::store::StoreError> {
                use secrecy::ExposeSecret;
                // A deleted endpoint's id may be used again: the row is reused.
                let created = sqlx::query(
                    "INSERT INTO endpoints (id, url, event_patterns, secret, active, origin, created_at, updated_at, signature_scheme)
                     VALUES ($1, $2, $3, $4, $5, 'api', $6, $6, $7)
                     ON CONFLICT (id) DO UPDATE SET
                         url = excluded.url, event_patterns = excluded.event_patterns, secret = excluded.secret,
                         signature_scheme = excluded.signature_scheme,
                         active = excluded.active, origin = 'api', disabled_reason = NULL, disabled_at = NULL,
                         previous_secret = NULL, previous_secret_expires_at = NULL, consecutive_failures = 0,
                         deleted_at = NULL, created_at = excluded.created_at, updated_at = excluded.updated_at
                     WHERE endpoints.deleted_at IS NOT NULL",
                )
                .bind(spec.id.as_str())
                .bind(&spec.url)
                .bind(spec.patterns_json())
                .bind(spec.secret.as_ref().map(|s| s.expose_secret().to_owned()))
                .bind(spec.active)
                .bind(now)
                .bind(spec.signature_scheme.as_str())
                .execute(self.write_pool())
                .await?;
                if created.rows_affected() == 0 {
                    return Err($crate::store::StoreError::EndpointExists(spec.id.to_string()));
                }
                self.endpoint_record(&spec.id).await
            }

            async fn update_endpoint(
                &self,
                id: &$crate::domain::EndpointId,
                changes: &$crate::store::log::EndpointChanges,
                now: i64,
            ) -> Result<$crate::store::log::EndpointRecord, $crate::store::StoreError> {
                let patterns = changes
                    .event_patterns
                    .as_ref()
                    .map(|p| serde_json::to_string(p).expect("a list of strings always serialises"));
                let updated = sqlx::query(
                    "UPDATE endpoints SET url = COALESCE($1, url), event_patterns = COALESCE($2, event_patterns),
                         updated_at = $3
                     WHERE id = $4 AND deleted_at IS NULL",
                )
                .bind(changes.url.as_deref())
                .bind(patterns)
                .bind(now)
                .bind(id.as_str())
                .execute(self.write_pool())
                .await?;
                if updated.rows_affected() == 0 {
                    return Err($crate::store::StoreError::EndpointNotFound(id.to_string()));
                }
                self.endpoint_record(id).await
            }

            async fn delete_endpoint(
                &self,
                id: &$crate::domain::EndpointId,
                now: i64,
            ) -> Result<u64, $crate::store::StoreError> {
                let mut tx = self.write_pool().begin().await?;
                let deleted = sqlx::query(
                    "UPDATE endpoints SET deleted_at = $1, active = FALSE, disabled_reason = 'deleted',
                         disabled_at = $1, updated_at = $1
                     WHERE id = $2 AND deleted_at IS NULL",
                )
                .bind(now)
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?;
                if deleted.rows_affected() == 0 {
                    return Err($crate::store::StoreError::EndpointNotFound(id.to_string()));
                }
                // An attempt in flight loses its lease, so its late result
                // cannot revive the delivery.
                let cancelled = sqlx::query(
                    "UPDATE deliveries SET state = 'cancelled', last_error = 'endpoint deleted',
                         lease_owner = NULL, lease_token = NULL, leased_until = NULL, updated_at = $1
                     WHERE endpoint_id = $2 AND state IN ('pending', 'in_flight')",
                )
                .bind(now)
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                tx.commit().await?;
                Ok(cancelled)
            }

            async fn set_endpoint_active(
                &self,
                id: &$crate::domain::EndpointId,
                active: bool,
                reason: Option<&str>,
                now: i64,
            ) -> Result<$crate::store::log::EndpointRecord, $crate::store::StoreError> {
                let updated = if active {
                    sqlx::query(
                        "UPDATE endpoints SET active = TRUE, disabled_reason = NULL, disabled_at = NULL,
                             auto_disabled = FALSE, consecutive_failures = 0, updated_at = $1
                         WHERE id = $2 AND deleted_at IS NULL",
                    )
                    .bind(now)
                    .bind(id.as_str())
                    .execute(self.write_pool())
                    .await?
                } else {
                    sqlx::query(
                        "UPDATE endpoints SET active = FALSE, auto_disabled = FALSE, disabled_reason = $1, disabled_at = $2,
                             updated_at = $2
                         WHERE id = $3 AND deleted_at IS NULL",
                    )
                    .bind(reason.unwrap_or("disabled by an operator"))
                    .bind(now)
                    .bind(id.as_str())
                    .execute(self.write_pool())
                    .await?
                };
                if updated.rows_affected() == 0 {
                    return Err($crate::store::StoreError::EndpointNotFound(id.to_string()));
                }
                self.endpoint_record(id).await
            }

            async fn rotate_endpoint_secret(
                &self,
                id: &$crate::domain::EndpointId,
                new_secret: &secrecy::SecretString,
                default_secret: &secrecy::SecretString,
                grace_until: i64,
                now: i64,
            ) -> Result<$crate::store::log::EndpointRecord, $crate::store::StoreError> {
                use secrecy::ExposeSecret;
                let updated = sqlx::query(
                    "UPDATE endpoints SET previous_secret = COALESCE(secret, $1), previous_secret_expires_at = $2, secret = $3,
                         updated_at = $4
                     WHERE id = $5 AND deleted_at IS NULL",
                )
                .bind(default_secret.expose_secret())
                .bind(grace_until)
                .bind(new_secret.expose_secret())
                .bind(now)
                .bind(id.as_str())
                .execute(self.write_pool())
                .await?;
                if updated.rows_affected() == 0 {
                    return Err($crate::store::StoreError::EndpointNotFound(id.to_string()));
                }
                self.endpoint_record(id).await
            }

            async fn create_api_key(
                &self,
                key: &$crate::store::log::StoredApiKey,
            ) -> Result<(), $crate::store::StoreError> {
                let inserted = sqlx::query(
                    "INSERT INTO api_keys (name, key_sha256, role, created_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (name) DO NOTHING",
                )
                .bind(&key.name)
                .bind(&key.key_sha256)
                .bind(&key.role)
                .bind(key.created_at)
                .execute(self.write_pool())
                .await?;
                if inserted.rows_affected() == 0 {
                    return Err($crate::store::StoreError::ApiKeyExists(key.name.clone()));
                }
                Ok(())
            }

            async fn list_api_keys(
                &self,
            ) -> Result<Vec<$crate::store::log::StoredApiKey>, $crate::store::StoreError> {
                Ok(sqlx::query_as(
                    "SELECT name, key_sha256, role, created_at, revoked_at FROM api_keys ORDER BY name",
                )
                .fetch_all(self.read_pool())
                .await?)
            }

            async fn revoke_api_key(
                &self,
                name: &str,
                now: i64,
            ) -> Result<$crate::store::log::StoredApiKey, $crate::store::StoreError> {
                let mut tx = self.write_pool().begin().await?;
                let key: Option<$crate::store::log::StoredApiKey> = sqlx::query_as(
                    "SELECT name, key_sha256, role, created_at, revoked_at FROM api_keys WHERE name = $1",
                )
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?;
                let key = key.ok_or_else(|| $crate::store::StoreError::ApiKeyNotFound(name.to_owned()))?;
                sqlx::query("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE name = $2")
                    .bind(now)
                    .bind(name)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(key)
            }
        }
    };
}

pub(super) use impl_event_log;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_prefix_escapes_wildcards() {
        assert_eq!(like_prefix("order"), "order.%");
        assert_eq!(like_prefix("order_v2"), "order\\_v2.%");
    }
}
