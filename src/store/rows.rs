//! Row shapes shared by the backends (both decode the same column types:
//! text, 64-bit integers, bytes, booleans) and their conversion to domain
//! records.

use secrecy::{ExposeSecret, SecretString};

use super::StoreError;
use super::model::ClaimedDelivery;
use crate::domain::{
    ApiKeyRecord, AttemptRecord, CanonicalPayload, CustomHeaders, DeliveryId, DeliveryRecord,
    EndpointId, EndpointOrigin, EndpointRecord, Event, EventId, EventType, PayloadFilter,
    RetrySchedule, Role, SignatureScheme,
};
use crate::domain::{SecretKeys, TraceContext};
use crate::signing::standard;

fn corrupt(e: String) -> StoreError {
    StoreError::Corrupt(e)
}

fn scheme(stored: &str) -> Result<SignatureScheme, StoreError> {
    SignatureScheme::from_stored(stored)
        .ok_or_else(|| corrupt(format!("unknown signature scheme `{stored}`")))
}

fn small(value: i64, column: &str) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| corrupt(format!("{column} out of range: {value}")))
}

#[derive(sqlx::FromRow)]
pub(crate) struct DeliveryRow {
    id: String,
    event_id: String,
    endpoint_id: String,
    state: String,
    attempt_count: i64,
    next_attempt_at: i64,
    last_error: Option<String>,
    replay_of: Option<String>,
    created_at: i64,
    updated_at: i64,
    event_type: String,
    ordering_key: Option<String>,
}

impl TryFrom<DeliveryRow> for DeliveryRecord {
    type Error = StoreError;

    fn try_from(row: DeliveryRow) -> Result<Self, StoreError> {
        Ok(DeliveryRecord {
            id: DeliveryId::from_stored(row.id),
            event_id: EventId::from_stored(row.event_id),
            endpoint_id: EndpointId::from_stored(row.endpoint_id),
            state: row
                .state
                .parse()
                .map_err(|e: crate::domain::DomainError| corrupt(e.to_string()))?,
            attempt_count: small(row.attempt_count, "attempt_count")?,
            next_attempt_at: row.next_attempt_at,
            last_error: row.last_error,
            replay_of: row.replay_of.map(DeliveryId::from_stored),
            created_at: row.created_at,
            updated_at: row.updated_at,
            event_type: EventType::from_stored(row.event_type),
            ordering_key: row.ordering_key,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AttemptRow {
    delivery_id: String,
    attempt_number: i64,
    started_at: i64,
    duration_ms: i64,
    http_status: Option<i64>,
    error_kind: Option<String>,
    error_message: Option<String>,
    response_excerpt: Option<String>,
    instance_id: Option<String>,
}

impl TryFrom<AttemptRow> for AttemptRecord {
    type Error = StoreError;

    fn try_from(row: AttemptRow) -> Result<Self, StoreError> {
        Ok(AttemptRecord {
            delivery_id: DeliveryId::from_stored(row.delivery_id),
            attempt_number: small(row.attempt_number, "attempt_number")?,
            started_at: row.started_at,
            duration_ms: row.duration_ms,
            http_status: row
                .http_status
                .map(|status| {
                    u16::try_from(status).map_err(|_| corrupt(format!("bad status {status}")))
                })
                .transpose()?,
            error_kind: row
                .error_kind
                .map(|kind| kind.parse())
                .transpose()
                .map_err(|e: crate::domain::DomainError| corrupt(e.to_string()))?,
            error_message: row.error_message,
            response_excerpt: row.response_excerpt,
            instance_id: row.instance_id,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    id: String,
    event_type: String,
    payload: Vec<u8>,
    idempotency_key: Option<String>,
    created_at: i64,
    ordering_key: Option<String>,
    traceparent: Option<String>,
    tracestate: Option<String>,
}

/// A stored trace context: written valid, so it reads back.
fn trace_context(traceparent: Option<&str>, tracestate: Option<&str>) -> Option<TraceContext> {
    traceparent.and_then(|traceparent| TraceContext::parse(traceparent, tracestate))
}

impl From<EventRow> for Event {
    fn from(row: EventRow) -> Self {
        Event {
            id: EventId::from_stored(row.id),
            event_type: EventType::from_stored(row.event_type),
            payload: CanonicalPayload::from_stored(row.payload),
            idempotency_key: row.idempotency_key,
            created_at: row.created_at,
            ordering_key: row.ordering_key,
            trace: trace_context(row.traceparent.as_deref(), row.tracestate.as_deref()),
        }
    }
}

/// A claimed delivery joined with its event and endpoint.
#[derive(sqlx::FromRow)]
pub(crate) struct ClaimedRow {
    id: String,
    event_id: String,
    endpoint_id: String,
    attempt_count: i64,
    event_type: String,
    payload: Vec<u8>,
    cycle_start: i64,
    ordering_key: Option<String>,
    traceparent: Option<String>,
    tracestate: Option<String>,
    #[sqlx(flatten)]
    sending: SendingColumns,
}

impl ClaimedRow {
    /// Reads a row of `delivery_leased.sql` from SQLite's own interface
    /// (the writer thread's claims, `sql/direct.rs`).
    pub fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(ClaimedRow {
            id: row.get("id")?,
            event_id: row.get("event_id")?,
            endpoint_id: row.get("endpoint_id")?,
            attempt_count: row.get("attempt_count")?,
            event_type: row.get("event_type")?,
            payload: row.get("payload")?,
            cycle_start: row.get("cycle_start")?,
            ordering_key: row.get("ordering_key")?,
            traceparent: row.get("traceparent")?,
            tracestate: row.get("tracestate")?,
            sending: SendingColumns::from_sqlite(row)?,
        })
    }

    /// The delivery's id, as stored.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    pub(super) fn into_claimed(
        self,
        lease_token: &str,
        secrets: &SecretKeys,
    ) -> Result<ClaimedDelivery, StoreError> {
        let sending = self.sending.open(&self.endpoint_id, secrets)?;
        Ok(sending.into_start(DeliveryStart {
            delivery_id: DeliveryId::from_stored(self.id),
            event_id: EventId::from_stored(self.event_id),
            event_type: EventType::from_stored(self.event_type),
            payload: bytes::Bytes::from(self.payload),
            endpoint_id: EndpointId::from_stored(self.endpoint_id),
            attempt_number: small(self.attempt_count, "attempt_count")? + 1,
            cycle_start: small(self.cycle_start, "cycle_start")?,
            lease_token: lease_token.to_owned(),
            ordering_key: self.ordering_key,
            trace: trace_context(self.traceparent.as_deref(), self.tracestate.as_deref()),
        }))
    }
}

/// The columns of an endpoint that a delivery to it is sent with, as
/// stored.
#[derive(Clone, sqlx::FromRow)]
#[cfg_attr(test, derive(Default))]
pub(crate) struct SendingColumns {
    url: String,
    secret: Option<String>,
    previous_secret: Option<String>,
    previous_secret_expires_at: Option<i64>,
    max_concurrent: Option<i64>,
    signature_scheme: String,
    headers: String,
    retry_policy: Option<String>,
}

impl SendingColumns {
    /// Reads the columns from a row of SQLite's own interface.
    fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(SendingColumns {
            url: row.get("url")?,
            secret: row.get("secret")?,
            previous_secret: row.get("previous_secret")?,
            previous_secret_expires_at: row.get("previous_secret_expires_at")?,
            max_concurrent: row.get("max_concurrent")?,
            signature_scheme: row.get("signature_scheme")?,
            headers: row.get("headers")?,
            retry_policy: row.get("retry_policy")?,
        })
    }

    /// Reads the columns and opens the secrets with `secrets`.
    pub(super) fn open(
        self,
        endpoint_id: &str,
        secrets: &SecretKeys,
    ) -> Result<Sending, StoreError> {
        let secret = open_secret(secrets, endpoint_id, self.secret)?;
        let previous_secret = open_secret(secrets, endpoint_id, self.previous_secret)?;
        Ok(Sending {
            url: self.url,
            secret,
            previous_secret: match (previous_secret, self.previous_secret_expires_at) {
                (Some(secret), Some(until)) => Some((secret, until)),
                _ => None,
            },
            signature_scheme: scheme(&self.signature_scheme)?,
            max_concurrent: self
                .max_concurrent
                .map(|limit| small(limit, "max_concurrent"))
                .transpose()?,
            headers: headers(&self.headers, endpoint_id)?,
            retry_schedule: retry_schedule(self.retry_policy.as_deref(), endpoint_id)?,
        })
    }
}

/// How deliveries to one endpoint are sent: its columns read, its secrets
/// opened.
#[derive(Clone)]
pub(crate) struct Sending {
    url: String,
    secret: Option<SecretString>,
    previous_secret: Option<(SecretString, i64)>,
    signature_scheme: SignatureScheme,
    max_concurrent: Option<u32>,
    headers: CustomHeaders,
    retry_schedule: Option<RetrySchedule>,
}

/// A delivery's side of a claimed delivery: the attempt about to be made,
/// its event, and the lease it is made under.
pub(crate) struct DeliveryStart {
    pub delivery_id: DeliveryId,
    pub event_id: EventId,
    pub event_type: EventType,
    pub payload: bytes::Bytes,
    pub endpoint_id: EndpointId,
    pub attempt_number: u32,
    pub cycle_start: u32,
    pub lease_token: String,
    pub ordering_key: Option<String>,
    pub trace: Option<TraceContext>,
}

impl Sending {
    /// The delivery `start`, to be sent to this endpoint.
    pub(crate) fn into_start(self, start: DeliveryStart) -> ClaimedDelivery {
        ClaimedDelivery {
            delivery_id: start.delivery_id,
            event_id: start.event_id,
            event_type: start.event_type,
            payload: start.payload,
            endpoint_id: start.endpoint_id,
            url: self.url,
            secret: self.secret,
            previous_secret: self.previous_secret,
            signature_scheme: self.signature_scheme,
            attempt_number: start.attempt_number,
            cycle_start: start.cycle_start,
            max_concurrent: self.max_concurrent,
            headers: self.headers,
            retry_schedule: self.retry_schedule,
            lease_token: start.lease_token,
            ordering_key: start.ordering_key,
            trace: start.trace,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct EndpointRow {
    id: String,
    url: String,
    event_patterns: String,
    active: bool,
    disabled_reason: Option<String>,
    disabled_at: Option<i64>,
    origin: String,
    secret: Option<String>,
    previous_secret_expires_at: Option<i64>,
    signature_scheme: String,
    consecutive_failures: i64,
    auto_disabled: bool,
    created_at: i64,
    updated_at: i64,
    headers: String,
    retry_policy: Option<String>,
    payload_filter: Option<String>,
    max_concurrent: Option<i64>,
}

/// An endpoint's payload filter as stored.
pub(super) fn payload_filter(
    json: Option<&str>,
    endpoint_id: &str,
) -> Result<Option<PayloadFilter>, StoreError> {
    json.map(|json| {
        PayloadFilter::from_json(json).ok_or_else(|| {
            corrupt(format!(
                "endpoint `{endpoint_id}` has an unreadable payload filter"
            ))
        })
    })
    .transpose()
}

/// An endpoint's own retry schedule as stored.
fn retry_schedule(
    json: Option<&str>,
    endpoint_id: &str,
) -> Result<Option<RetrySchedule>, StoreError> {
    json.map(|json| {
        RetrySchedule::from_json(json).ok_or_else(|| {
            corrupt(format!(
                "endpoint `{endpoint_id}` has an unreadable retry schedule"
            ))
        })
    })
    .transpose()
}

/// An endpoint's custom headers as stored.
fn headers(json: &str, endpoint_id: &str) -> Result<CustomHeaders, StoreError> {
    CustomHeaders::from_json(json)
        .ok_or_else(|| corrupt(format!("endpoint `{endpoint_id}` has unreadable headers")))
}

/// A stored secret opened: as given, or unsealed with `secrets`.
pub(super) fn open_secret(
    secrets: &SecretKeys,
    endpoint_id: &str,
    stored: Option<String>,
) -> Result<Option<SecretString>, StoreError> {
    stored
        .map(|stored| {
            secrets
                .open(endpoint_id, &stored)
                .map(SecretString::from)
                .map_err(|e| {
                    StoreError::SecretKey(format!("the secret of endpoint `{endpoint_id}` {e}"))
                })
        })
        .transpose()
}

impl EndpointRow {
    /// The endpoint as stored, its secret opened with `secrets` for the
    /// hint and the public key.
    pub(super) fn into_record(
        mut self,
        secrets: &SecretKeys,
    ) -> Result<EndpointRecord, StoreError> {
        self.secret = open_secret(secrets, &self.id, self.secret.take())?
            .map(|secret| secret.expose_secret().to_owned());
        record_of(self)
    }
}

/// The record of a row whose secret is already opened.
fn record_of(row: EndpointRow) -> Result<EndpointRecord, StoreError> {
    let event_patterns = serde_json::from_str(&row.event_patterns).map_err(|e| {
        corrupt(format!(
            "endpoint `{}` has unreadable event patterns: {e}",
            row.id
        ))
    })?;
    let signature_scheme = scheme(&row.signature_scheme)?;
    let custom_headers = headers(&row.headers, &row.id)?;
    let own_retry_schedule = retry_schedule(row.retry_policy.as_deref(), &row.id)?;
    let filter = payload_filter(row.payload_filter.as_deref(), &row.id)?;
    // The public half of an ed25519 key is for everyone to see.
    let public_key = match (signature_scheme, row.secret.as_deref()) {
        (SignatureScheme::Standard, Some(secret)) => standard::SigningKey::parse(secret)
            .ok()
            .and_then(|key| key.public_key()),
        _ => None,
    };
    // Only a hint leaves the store: the last 4 characters.
    let secret_hint = row.secret.map(|secret| {
        let chars: Vec<char> = secret.chars().collect();
        chars[chars.len().saturating_sub(4)..].iter().collect()
    });
    Ok(EndpointRecord {
        id: EndpointId::from_stored(row.id),
        url: row.url,
        event_patterns,
        active: row.active,
        disabled_reason: row.disabled_reason,
        disabled_at: row.disabled_at,
        origin: EndpointOrigin::from_stored(&row.origin)
            .ok_or_else(|| corrupt(format!("unknown endpoint origin `{}`", row.origin)))?,
        secret_hint,
        previous_secret_expires_at: row.previous_secret_expires_at,
        signature_scheme,
        public_key,
        consecutive_failures: small(row.consecutive_failures, "consecutive_failures")?,
        headers: custom_headers,
        retry_schedule: own_retry_schedule,
        filter,
        max_concurrent: row
            .max_concurrent
            .map(|limit| small(limit, "max_concurrent"))
            .transpose()?,
        auto_disabled: row.auto_disabled,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// An endpoint as routing sees it, with what its deliveries are sent with
/// (a dispatch starts some of them at once).
#[derive(sqlx::FromRow)]
pub(crate) struct RoutingRow {
    pub id: String,
    pub event_patterns: String,
    pub active: bool,
    pub payload_filter: Option<String>,
    #[sqlx(flatten)]
    pub sending: SendingColumns,
}

impl RoutingRow {
    /// Reads a row of `endpoint_routing.sql` from SQLite's own interface
    /// (the batch writer's, `sql/direct.rs`).
    pub fn from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(RoutingRow {
            id: row.get("id")?,
            event_patterns: row.get("event_patterns")?,
            active: row.get("active")?,
            payload_filter: row.get("payload_filter")?,
            sending: SendingColumns::from_sqlite(row)?,
        })
    }

    /// The endpoint's own concurrency limit, if it has a usable one.
    pub fn max_concurrent(&self) -> Option<u32> {
        self.sending
            .max_concurrent
            .and_then(|limit| u32::try_from(limit).ok())
    }
}

/// An endpoint's stored secrets, as they are kept (sealed or not).
#[derive(sqlx::FromRow)]
pub(crate) struct StoredSecretsRow {
    pub id: String,
    pub secret: Option<String>,
    pub previous_secret: Option<String>,
}

/// An API key as stored.
#[derive(sqlx::FromRow)]
pub(crate) struct ApiKeyRow {
    pub name: String,
    pub key_sha256: String,
    pub role: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

impl TryFrom<ApiKeyRow> for ApiKeyRecord {
    type Error = StoreError;

    fn try_from(row: ApiKeyRow) -> Result<Self, StoreError> {
        Ok(ApiKeyRecord {
            role: Role::from_stored(&row.role).ok_or_else(|| {
                corrupt(format!(
                    "API key `{}` has unknown role `{}`",
                    row.name, row.role
                ))
            })?,
            name: row.name,
            key_sha256: row.key_sha256,
            created_at: row.created_at,
            revoked_at: row.revoked_at,
        })
    }
}
