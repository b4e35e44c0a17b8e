//! Dispatch: store an event and its deliveries, then set them going.

use tracing::debug;

use super::Services;
use crate::clock::now_millis;
use crate::delivery::updates::UpdateKind;
use crate::domain::{CanonicalPayload, CatalogError, Event, EventId, EventType, TraceContext};
use crate::error::{ApiError, ErrorCode};
use crate::limits::reason;
use crate::store::{DispatchOutcome, Routing};

/// An event as a producer sends it, parsed.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub event_type: EventType,
    pub payload: CanonicalPayload,
    pub idempotency_key: Option<String>,
    pub ordering_key: Option<String>,
    /// The producer's trace context (gRPC metadata `traceparent`).
    pub trace: Option<TraceContext>,
    pub routing: Routing,
}

impl Services {
    /// Stores the event and one delivery per routed endpoint, durably,
    /// before returning; a repeated idempotency key returns the original
    /// dispatch instead.
    pub async fn dispatch(&self, new: NewEvent) -> Result<DispatchOutcome, ApiError> {
        self.catalog
            .check(&new.event_type, &new.payload)
            .map_err(catalog_error)?;
        let event = Event {
            id: EventId::generate(),
            event_type: new.event_type.clone(),
            payload: new.payload,
            idempotency_key: new.idempotency_key,
            ordering_key: new.ordering_key,
            trace: new.trace,
            created_at: now_millis(),
        };
        let outcome = self.store.dispatch(event, new.routing).await?;
        match &outcome {
            DispatchOutcome::Created {
                event_id,
                deliveries,
            } => {
                self.counters.observe_dispatch();
                self.announce_new_deliveries(
                    UpdateKind::Created,
                    Some(event_id),
                    Some(&new.event_type),
                    deliveries,
                );
                // One line per event floods the log at production rates, as
                // one per delivery would; both are at debug.
                debug!(event_id = %event_id, deliveries = deliveries.len(), "event accepted");
            }
            DispatchOutcome::Duplicate { event_id, .. } => {
                debug!(event_id = %event_id, "duplicate idempotency key, nothing new stored");
            }
        }
        Ok(outcome)
    }
}

/// A payload the catalog refuses, as the API reports it: one field
/// violation per schema mismatch, at `payload<JSON pointer>`.
fn catalog_error(error: CatalogError) -> ApiError {
    match &error {
        CatalogError::UnknownType { event_type } => ApiError::invalid_field("event_type", &error)
            .with_reason(reason::UNKNOWN_EVENT_TYPE)
            .with_metadata("event_type", event_type.clone()),
        CatalogError::SchemaViolation {
            event_type,
            violations,
        } => {
            let mut refused = ApiError::new(
                ErrorCode::InvalidArgument,
                format!(
                    "{error}: {}",
                    violations
                        .iter()
                        .map(|(at, why)| format!("at {at}: {why}"))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            )
            .with_reason(reason::SCHEMA_VIOLATION)
            .with_metadata("event_type", event_type.clone());
            refused.field_violations = violations
                .iter()
                .map(|(at, why)| (format!("payload{at}"), why.clone()))
                .collect();
            refused
        }
    }
}
