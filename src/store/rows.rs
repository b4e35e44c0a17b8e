//! Row shapes shared by the backends (both decode the same column types:
//! text, 64-bit integers, bytes, booleans) and their conversion to domain
//! records.

use secrecy::SecretString;

use super::{AttemptRecord, ClaimedDelivery, DeliveryRecord, Event, StoreError};
use crate::domain::{CanonicalPayload, DeliveryId, EndpointId, EventId, EventType};

fn corrupt(e: String) -> StoreError {
    StoreError::Corrupt(e)
}

fn small(value: i64, column: &str) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| corrupt(format!("{column} out of range: {value}")))
}

#[derive(sqlx::FromRow)]
pub(super) struct DeliveryRow {
    id: String,
    event_id: String,
    endpoint_id: String,
    state: String,
    attempt_count: i64,
    next_attempt_at: i64,
    last_error: Option<String>,
    created_at: i64,
}

impl TryFrom<DeliveryRow> for DeliveryRecord {
    type Error = StoreError;

    fn try_from(row: DeliveryRow) -> Result<Self, StoreError> {
        Ok(DeliveryRecord {
            id: DeliveryId::from_stored(row.id),
            event_id: EventId::from_stored(row.event_id),
            endpoint_id: EndpointId::from_stored(row.endpoint_id),
            state: row.state.parse().map_err(corrupt)?,
            attempt_count: small(row.attempt_count, "attempt_count")?,
            next_attempt_at: row.next_attempt_at,
            last_error: row.last_error,
            created_at: row.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct AttemptRow {
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
                .map_err(corrupt)?,
            error_message: row.error_message,
            response_excerpt: row.response_excerpt,
            instance_id: row.instance_id,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct EventRow {
    id: String,
    event_type: String,
    payload: Vec<u8>,
    idempotency_key: Option<String>,
    created_at: i64,
}

impl From<EventRow> for Event {
    fn from(row: EventRow) -> Self {
        Event {
            id: EventId::from_stored(row.id),
            event_type: EventType::from_stored(row.event_type),
            payload: CanonicalPayload::from_stored(row.payload),
            idempotency_key: row.idempotency_key,
            created_at: row.created_at,
        }
    }
}

/// A claimed delivery joined with its event and endpoint.
#[derive(sqlx::FromRow)]
pub(super) struct ClaimedRow {
    id: String,
    event_id: String,
    endpoint_id: String,
    attempt_count: i64,
    event_type: String,
    payload: Vec<u8>,
    url: String,
    secret: Option<String>,
}

impl ClaimedRow {
    pub(super) fn into_claimed(self, lease_token: &str) -> Result<ClaimedDelivery, StoreError> {
        Ok(ClaimedDelivery {
            delivery_id: DeliveryId::from_stored(self.id),
            event_id: EventId::from_stored(self.event_id),
            event_type: EventType::from_stored(self.event_type),
            payload: bytes::Bytes::from(self.payload),
            endpoint_id: EndpointId::from_stored(self.endpoint_id),
            url: self.url,
            secret: self.secret.map(SecretString::from),
            attempt_number: small(self.attempt_count, "attempt_count")? + 1,
            lease_token: lease_token.to_owned(),
        })
    }
}

/// An endpoint as routing sees it.
#[derive(sqlx::FromRow)]
pub(super) struct RoutingRow {
    pub id: String,
    pub event_patterns: String,
    pub active: bool,
}
