//! Operational webhooks: webhookd's own events about endpoints and dead
//! letters (`webhookd.endpoint.disabled`, `webhookd.endpoint.recovered`,
//! `webhookd.delivery.dead_lettered`), stored and delivered like any other
//! event (signed, retried, in the event log) to the endpoints named in
//! `alerts.webhook_endpoints`. The `webhookd.` prefix is reserved: Dispatch
//! refuses it, so a receiver can trust that these come from webhookd.

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::Notify;
use tracing::{debug, warn};

use crate::clock::{now_millis, rfc3339};
use crate::domain::{CanonicalPayload, EndpointId, Event, EventId, EventType};
use crate::store::{DispatchOutcome, Routing, Store};

/// Event types with this prefix are webhookd's own.
pub const RESERVED_PREFIX: &str = "webhookd.";

pub const ENDPOINT_DISABLED: &str = "webhookd.endpoint.disabled";
pub const ENDPOINT_RECOVERED: &str = "webhookd.endpoint.recovered";
pub const DELIVERY_DEAD_LETTERED: &str = "webhookd.delivery.dead_lettered";

/// Whether `event_type` is in webhookd's reserved namespace.
pub fn is_reserved(event_type: &str) -> bool {
    event_type.starts_with(RESERVED_PREFIX)
}

/// A delivery that has just been dead-lettered.
#[derive(Debug, Clone)]
pub struct DeadLetter {
    pub delivery_id: String,
    pub event_id: String,
    pub event_type: String,
    pub endpoint_id: String,
    pub attempts: u32,
    pub last_error: String,
}

/// Stores operational events for the configured endpoints.
#[derive(Clone)]
pub struct OperationalEvents {
    store: Arc<dyn Store>,
    wake: Arc<Notify>,
    endpoints: Vec<EndpointId>,
}

impl OperationalEvents {
    /// `None` when no endpoint is configured to receive them.
    pub fn new(
        store: Arc<dyn Store>,
        wake: Arc<Notify>,
        endpoints: Vec<EndpointId>,
    ) -> Option<Self> {
        (!endpoints.is_empty()).then_some(OperationalEvents {
            store,
            wake,
            endpoints,
        })
    }

    pub fn endpoint_disabled(
        &self,
        endpoint_id: &EndpointId,
        url: &str,
        reason: &str,
        last_error: &str,
        at: i64,
    ) {
        self.emit(
            ENDPOINT_DISABLED,
            format!("{endpoint_id}:{at}"),
            json!({
                "endpoint_id": endpoint_id.as_str(),
                "url": url,
                "reason": reason,
                "last_error": last_error,
                "disabled_at": rfc3339(at),
            }),
        );
    }

    pub fn endpoint_recovered(&self, endpoint_id: &EndpointId, url: &str, how: &str, at: i64) {
        self.emit(
            ENDPOINT_RECOVERED,
            format!("{endpoint_id}:{at}"),
            json!({
                "endpoint_id": endpoint_id.as_str(),
                "url": url,
                "how": how,
                "recovered_at": rfc3339(at),
            }),
        );
    }

    pub fn dead_lettered(&self, dead: &DeadLetter) {
        // A dead operational event announces nothing: no event about an
        // event about an event.
        if is_reserved(&dead.event_type) {
            return;
        }
        self.emit(
            DELIVERY_DEAD_LETTERED,
            dead.delivery_id.clone(),
            json!({
                "delivery_id": dead.delivery_id,
                "event_id": dead.event_id,
                "event_type": dead.event_type,
                "endpoint_id": dead.endpoint_id,
                "attempts": dead.attempts,
                "last_error": dead.last_error,
                "dead_at": rfc3339(now_millis()),
            }),
        );
    }

    /// Stores the event in the background. The idempotency key (type and
    /// subject) keeps a repeated emission to one event.
    fn emit(&self, event_type: &'static str, subject: String, payload: Value) {
        let event = Event {
            ordering_key: None,
            trace: None,
            id: EventId::generate(),
            event_type: EventType::parse(event_type).expect("the reserved types are valid"),
            payload: CanonicalPayload::from_json_text(&payload.to_string(), usize::MAX)
                .expect("serde_json writes valid JSON"),
            idempotency_key: Some(format!("{event_type}:{subject}")),
            created_at: now_millis(),
        };
        let routing = Routing::Operational(self.endpoints.clone());
        let store = Arc::clone(&self.store);
        let wake = Arc::clone(&self.wake);
        tokio::spawn(async move {
            match store.dispatch(event, routing).await {
                Ok(DispatchOutcome::Created { event_id, .. }) => {
                    debug!(%event_id, event_type, "operational event stored");
                    wake.notify_one();
                }
                Ok(DispatchOutcome::Duplicate { .. }) => {}
                Err(e) => {
                    warn!(event_type, error.message = %e, "failed to store an operational event")
                }
            }
        });
    }
}
