//! The live feed of delivery and endpoint state changes. Every change is
//! numbered, kept in a bounded ring of recent history, and broadcast to
//! subscribers (StreamDeliveries, the dashboard). Publishing never waits
//! for a subscriber: a slow one falls behind and is told how much it missed.

use std::collections::VecDeque;
use std::sync::Mutex;

use tokio::sync::broadcast;

use crate::clock::now_millis;
use crate::domain::{DeliveryId, DeliveryState, EndpointId, ErrorKind, EventId, EventType};

/// Updates each subscriber may fall behind by before it is told it lagged.
pub const SUBSCRIBER_BUFFER: usize = 1024;

/// Recent updates kept for resuming streams by sequence number.
pub const HISTORY: usize = 10_000;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateKind {
    Created,
    AttemptStarted,
    Succeeded,
    RetryScheduled,
    DeadLettered,
    Failed,
    Paused,
    Replayed,
    Cancelled,
    CircuitOpened,
    CircuitClosed,
    EndpointDisabled,
    EndpointEnabled,
}

/// One state change. Endpoint changes leave the delivery fields empty.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    /// Assigned on publish; increases by one per update of this process.
    pub sequence: u64,
    pub kind: UpdateKind,
    pub delivery_id: Option<DeliveryId>,
    pub event_id: Option<EventId>,
    pub endpoint_id: EndpointId,
    pub event_type: Option<EventType>,
    pub state: Option<DeliveryState>,
    /// The 1-based attempt number this update reports, 0 if none.
    pub attempt: u32,
    pub http_status: Option<u16>,
    pub error_kind: Option<ErrorKind>,
    pub latency_ms: u64,
    pub next_attempt_at: Option<i64>,
    /// Unix milliseconds; assigned on publish when zero.
    pub occurred_at: i64,
    pub detail: String,
}

impl Update {
    /// An update about `endpoint_id` with every other field empty.
    pub fn new(kind: UpdateKind, endpoint_id: EndpointId) -> Self {
        Update {
            sequence: 0,
            kind,
            delivery_id: None,
            event_id: None,
            endpoint_id,
            event_type: None,
            state: None,
            attempt: 0,
            http_status: None,
            error_kind: None,
            latency_ms: 0,
            next_attempt_at: None,
            occurred_at: 0,
            detail: String::new(),
        }
    }

    /// A delivery just created (`kind`: by a dispatch or a replay), pending.
    pub fn delivery_created(
        kind: UpdateKind,
        endpoint_id: EndpointId,
        delivery_id: DeliveryId,
        event_id: Option<EventId>,
        event_type: Option<EventType>,
    ) -> Self {
        let mut update = Update::new(kind, endpoint_id);
        update.delivery_id = Some(delivery_id);
        update.event_id = event_id;
        update.event_type = event_type;
        update.state = Some(DeliveryState::Pending);
        update
    }
}

/// Recent history and the sequence counter. A std mutex: held for a push or
/// a copy, never across an await.
struct History {
    next_sequence: u64,
    recent: VecDeque<Update>,
}

pub struct UpdateBus {
    sender: broadcast::Sender<Update>,
    history: Mutex<History>,
}

impl Default for UpdateBus {
    fn default() -> Self {
        Self::new()
    }
}

impl UpdateBus {
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(SUBSCRIBER_BUFFER);
        UpdateBus {
            sender,
            history: Mutex::new(History {
                next_sequence: 1,
                recent: VecDeque::with_capacity(HISTORY),
            }),
        }
    }

    /// Numbers, records and broadcasts `update`.
    pub fn publish(&self, mut update: Update) {
        if update.occurred_at == 0 {
            update.occurred_at = now_millis();
        }
        let mut history = self
            .history
            .lock()
            .expect("the history lock is never poisoned");
        update.sequence = history.next_sequence;
        history.next_sequence += 1;
        if history.recent.len() == HISTORY {
            history.recent.pop_front();
        }
        history.recent.push_back(update.clone());
        // Sent under the lock, so subscribers see sequence order. No
        // subscriber is not an error.
        let _ = self.sender.send(update);
    }

    /// Live subscribers (streams, dashboards) right now.
    pub fn subscriber_count(&self) -> usize {
        self.sender.receiver_count()
    }

    /// Subscribes to live updates and returns, atomically with it, the
    /// recorded updates that `since` selects: nothing recorded is both in
    /// the history and in the live feed, and nothing falls between them.
    pub fn subscribe(
        &self,
        since: impl Fn(&Update) -> bool,
    ) -> (Vec<Update>, broadcast::Receiver<Update>) {
        let history = self
            .history
            .lock()
            .expect("the history lock is never poisoned");
        let receiver = self.sender.subscribe();
        let backlog = history
            .recent
            .iter()
            .filter(|u| since(u))
            .cloned()
            .collect();
        (backlog, receiver)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(endpoint: &str) -> Update {
        Update::new(
            UpdateKind::Created,
            EndpointId::from_stored(endpoint.to_owned()),
        )
    }

    #[test]
    fn numbers_updates_and_resumes_without_gap_or_duplicate() {
        let bus = UpdateBus::new();
        bus.publish(update("a"));
        bus.publish(update("b"));
        let (backlog, mut live) = bus.subscribe(|u| u.sequence > 1);
        bus.publish(update("c"));
        assert_eq!(backlog.iter().map(|u| u.sequence).collect::<Vec<_>>(), [2]);
        assert_eq!(live.try_recv().unwrap().sequence, 3);
        assert!(live.try_recv().is_err());
    }

    #[test]
    fn a_slow_subscriber_learns_how_much_it_missed() {
        let bus = UpdateBus::new();
        let (_, mut live) = bus.subscribe(|_| false);
        for _ in 0..SUBSCRIBER_BUFFER + 10 {
            bus.publish(update("a"));
        }
        match live.try_recv() {
            Err(broadcast::error::TryRecvError::Lagged(missed)) => assert_eq!(missed, 10),
            other => panic!("expected a lag notice, got {other:?}"),
        }
    }

    #[test]
    fn history_is_bounded() {
        let bus = UpdateBus::new();
        for _ in 0..HISTORY + 5 {
            bus.publish(update("a"));
        }
        let (backlog, _) = bus.subscribe(|_| true);
        assert_eq!(backlog.len(), HISTORY);
        assert_eq!(backlog[0].sequence, 6);
    }
}
