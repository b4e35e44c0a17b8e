//! Events: what producers dispatch.

use super::{CanonicalPayload, EventId, EventType};

/// An event, as dispatched and as stored: never changed once written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: EventId,
    pub event_type: EventType,
    pub payload: CanonicalPayload,
    pub idempotency_key: Option<String>,
    pub created_at: i64,
    /// Deliveries with the same key to the same endpoint go one at a time,
    /// in Dispatch order.
    pub ordering_key: Option<String>,
    /// The producer's W3C trace context, sent on with every delivery.
    pub trace: Option<super::TraceContext>,
}
