//! StreamDeliveries: recent history from the update bus, then live updates,
//! filtered per stream. Each stream has a bounded buffer; a consumer that
//! falls behind gets a LAGGED update saying how many it missed, and delivery
//! never waits for it.

use std::collections::HashSet;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures::Stream;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::Status;

use super::convert::{timestamp, update_to_proto};
use super::fields;
use super::proto::{self, StreamDeliveriesRequest};
use crate::clock::now_millis;
use crate::delivery::updates::UpdateKind;
use crate::delivery::updates::{Update, UpdateBus};
use crate::domain::{DeliveryId, DeliveryState, EndpointId, EventId, EventPattern, EventType};
use crate::error::{ApiError, ErrorCode};
use crate::limits::{MAX_LIVE_STREAMS, reason};
use crate::store::AttemptHistory;
use crate::store::Store;

/// Messages buffered between the stream's task and the transport.
const STREAM_BUFFER: usize = 256;

/// An idle stream gets a heartbeat this often, so proxies keep it open.
pub const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(15);

pub type DeliveryUpdateStream =
    Pin<Box<dyn Stream<Item = Result<proto::DeliveryUpdate, Status>> + Send>>;

/// Which updates a stream wants.
#[derive(Debug, Default)]
struct StreamFilter {
    endpoints: HashSet<String>,
    event_types: Vec<EventPattern>,
    states: HashSet<DeliveryState>,
}

impl StreamFilter {
    fn parse(request: &StreamDeliveriesRequest) -> Result<Self, ApiError> {
        Ok(StreamFilter {
            endpoints: fields::endpoint_ids("endpoint_ids", &request.endpoint_ids)?
                .into_iter()
                .map(|id| id.to_string())
                .collect(),
            event_types: fields::event_patterns("event_types", &request.event_types)?,
            states: fields::states("states", &request.states)?
                .into_iter()
                .collect(),
        })
    }

    fn matches(&self, update: &Update) -> bool {
        if !self.endpoints.is_empty() && !self.endpoints.contains(update.endpoint_id.as_str()) {
            return false;
        }
        // Endpoint-level updates carry no event type or state: the endpoint
        // filter alone decides for them, unless states were asked for.
        if let Some(event_type) = &update.event_type
            && !self.event_types.is_empty()
            && !self.event_types.iter().any(|p| p.matches(event_type))
        {
            return false;
        }
        if !self.states.is_empty() {
            return update
                .state
                .is_some_and(|state| self.states.contains(&state));
        }
        true
    }
}

/// Starts a stream for `request`.
///
/// - `since_sequence`: the bus's recent history (this instance's last
///   `HISTORY` updates) after that sequence number, then live.
/// - `since_time`: the attempts recorded since then, from the store (every
///   instance's, up to `STORE_HISTORY_LIMIT`), then live. Subscribing
///   before reading the store and skipping live results already in the
///   history leaves no gap and no duplicate at the switch.
///
/// The stream ends with UNAVAILABLE when `shutdown` is cancelled, so a
/// stopping server is not held open by its streams.
pub async fn open(
    bus: &Arc<UpdateBus>,
    store: &dyn Store,
    request: &StreamDeliveriesRequest,
    shutdown: CancellationToken,
) -> Result<DeliveryUpdateStream, ApiError> {
    let filter = StreamFilter::parse(request)?;
    let since_time = fields::optional_timestamp("since_time", request.since_time.as_ref())?;
    if bus.subscriber_count() >= MAX_LIVE_STREAMS {
        return Err(ApiError::new(
            ErrorCode::ResourceExhausted,
            format!(
                "this instance already serves {MAX_LIVE_STREAMS} live streams (the limit of open StreamDeliveries calls); close idle streams or try another instance"
            ),
        )
        .with_reason(reason::TOO_MANY_STREAMS)
        .with_metadata("limit", MAX_LIVE_STREAMS.to_string()));
    }
    let since_sequence = request.since_sequence;
    let (mut backlog, live) =
        bus.subscribe(|update| since_sequence > 0 && update.sequence > since_sequence);
    let mut already_sent = HashSet::new();
    if let (0, Some(since)) = (since_sequence, since_time) {
        for attempt in store.attempt_history(since, STORE_HISTORY_LIMIT).await? {
            let update = history_update(attempt);
            already_sent.insert(result_key(&update));
            backlog.push(update);
        }
    }
    let (sender, receiver) = mpsc::channel(STREAM_BUFFER);
    tokio::spawn(forward(
        filter,
        backlog,
        already_sent,
        live,
        sender,
        shutdown,
    ));
    Ok(Box::pin(ReceiverStream::new(receiver)))
}

/// Most attempts replayed from the store when a stream resumes by time.
pub const STORE_HISTORY_LIMIT: usize = 10_000;

/// Identifies the result of one attempt, to skip it live if the history had it.
fn result_key(update: &Update) -> Option<(String, u32)> {
    let is_result = matches!(
        update.kind,
        UpdateKind::Succeeded
            | UpdateKind::RetryScheduled
            | UpdateKind::DeadLettered
            | UpdateKind::Failed
    );
    is_result.then(|| {
        (
            update
                .delivery_id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            update.attempt,
        )
    })
}

/// The update that an attempt's result published, rebuilt from the store.
fn history_update(attempt: AttemptHistory) -> Update {
    let number = u32::try_from(attempt.attempt_number).unwrap_or(0);
    let latest = attempt.attempt_number == attempt.attempt_count;
    let current: Option<DeliveryState> = attempt.state.parse().ok();
    let (kind, state) = match (&attempt.error_kind, current) {
        (None, _) => (UpdateKind::Succeeded, DeliveryState::Succeeded),
        (Some(_), Some(DeliveryState::Dead)) if latest => {
            (UpdateKind::DeadLettered, DeliveryState::Dead)
        }
        (Some(_), Some(DeliveryState::Failed)) if latest => {
            (UpdateKind::Failed, DeliveryState::Failed)
        }
        (Some(_), _) => (UpdateKind::RetryScheduled, DeliveryState::Pending),
    };
    let mut update = Update::new(kind, EndpointId::from_stored(attempt.endpoint_id));
    update.delivery_id = Some(DeliveryId::from_stored(attempt.delivery_id));
    update.event_id = Some(EventId::from_stored(attempt.event_id));
    update.event_type = Some(EventType::from_stored(attempt.event_type));
    update.state = Some(state);
    update.attempt = number;
    update.http_status = attempt.http_status.and_then(|s| u16::try_from(s).ok());
    update.error_kind = attempt.error_kind.and_then(|k| k.parse().ok());
    update.latency_ms = u64::try_from(attempt.duration_ms).unwrap_or(0);
    update.next_attempt_at =
        (kind == UpdateKind::RetryScheduled && latest).then_some(attempt.next_attempt_at);
    update.occurred_at = attempt.started_at + attempt.duration_ms;
    update
}

type Sender = mpsc::Sender<Result<proto::DeliveryUpdate, Status>>;

async fn forward(
    filter: StreamFilter,
    backlog: Vec<Update>,
    already_sent: HashSet<Option<(String, u32)>>,
    mut live: broadcast::Receiver<Update>,
    sender: Sender,
    shutdown: CancellationToken,
) {
    for update in backlog.iter().filter(|u| filter.matches(u)) {
        if !send(&sender, update_to_proto(update), &shutdown).await {
            return;
        }
    }
    loop {
        let message = tokio::select! {
            received = live.recv() => match received {
                Ok(update) if filter.matches(&update) => {
                    let key = result_key(&update);
                    if key.is_some() && already_sent.contains(&key) {
                        continue;
                    }
                    update_to_proto(&update)
                }
                Ok(_) => continue,
                Err(broadcast::error::RecvError::Lagged(missed)) => notice(proto::UpdateKind::Lagged, missed),
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = tokio::time::sleep(HEARTBEAT_INTERVAL) => notice(proto::UpdateKind::Heartbeat, 0),
            _ = sender.closed() => return,
            _ = shutdown.cancelled() => return end_at_shutdown(&sender),
        };
        if !send(&sender, message, &shutdown).await {
            return;
        }
    }
}

/// Sends one update; `false` when the stream is over (the consumer left,
/// or shutdown began while it was not reading).
async fn send(
    sender: &Sender,
    message: proto::DeliveryUpdate,
    shutdown: &CancellationToken,
) -> bool {
    tokio::select! {
        sent = sender.send(Ok(message)) => sent.is_ok(),
        _ = shutdown.cancelled() => {
            end_at_shutdown(sender);
            false
        }
    }
}

/// Ends the stream with a status that tells the consumer how to resume.
fn end_at_shutdown(sender: &Sender) {
    // A full buffer means the consumer is not reading: it gets a plain end.
    let _ = sender.try_send(Err(Status::unavailable(
        "webhookd is shutting down; reconnect (to another instance) and resume with since_sequence or since_time",
    )));
}

fn notice(kind: proto::UpdateKind, missed: u64) -> proto::DeliveryUpdate {
    proto::DeliveryUpdate {
        kind: kind as i32,
        missed,
        occurred_at: Some(timestamp(now_millis())),
        detail: if missed > 0 {
            format!("this stream fell behind and missed {missed} updates")
        } else {
            String::new()
        },
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::updates::UpdateKind;
    use crate::domain::{DeliveryId, EndpointId, EventType};

    fn delivery_update(endpoint: &str, event_type: &str, state: DeliveryState) -> Update {
        let mut update = Update::new(
            UpdateKind::Succeeded,
            EndpointId::from_stored(endpoint.to_owned()),
        );
        update.delivery_id = Some(DeliveryId::generate());
        update.event_type = Some(EventType::from_stored(event_type.to_owned()));
        update.state = Some(state);
        update
    }

    #[test]
    fn filters_by_endpoint_type_pattern_and_state() {
        let filter = StreamFilter::parse(&StreamDeliveriesRequest {
            endpoint_ids: vec!["ep_1".to_owned()],
            event_types: vec!["order.*".to_owned()],
            states: vec![proto::DeliveryState::Succeeded as i32],
            ..Default::default()
        })
        .unwrap();
        assert!(filter.matches(&delivery_update(
            "ep_1",
            "order.created",
            DeliveryState::Succeeded
        )));
        assert!(!filter.matches(&delivery_update(
            "ep_2",
            "order.created",
            DeliveryState::Succeeded
        )));
        assert!(!filter.matches(&delivery_update(
            "ep_1",
            "invoice.paid",
            DeliveryState::Succeeded
        )));
        assert!(!filter.matches(&delivery_update(
            "ep_1",
            "order.created",
            DeliveryState::Dead
        )));
    }

    #[test]
    fn rejects_invalid_filters() {
        let bad = [
            StreamDeliveriesRequest {
                endpoint_ids: vec!["no spaces".to_owned()],
                ..Default::default()
            },
            StreamDeliveriesRequest {
                event_types: vec!["Order".to_owned()],
                ..Default::default()
            },
            StreamDeliveriesRequest {
                states: vec![42],
                ..Default::default()
            },
        ];
        for request in bad {
            assert!(StreamFilter::parse(&request).is_err(), "{request:?}");
        }
    }
}
