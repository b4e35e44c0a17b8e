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
use tonic::Status;

use super::convert::{millis, timestamp, update_to_proto};
use super::fields;
use super::proto::{self, StreamDeliveriesRequest};
use crate::domain::{DeliveryState, EventPattern};
use crate::error::ApiError;
use crate::store::now_millis;
use crate::updates::{Update, UpdateBus};

/// Messages buffered between the stream's task and the transport.
const STREAM_BUFFER: usize = 256;

/// An idle stream gets a heartbeat this often, so proxies keep it open.
pub const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(15);

/// Most filter entries of one kind per stream.
const MAX_FILTER_ENTRIES: usize = 100;

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
        for (field, count) in [
            ("endpoint_ids", request.endpoint_ids.len()),
            ("event_types", request.event_types.len()),
            ("states", request.states.len()),
        ] {
            if count > MAX_FILTER_ENTRIES {
                return Err(ApiError::invalid_field(
                    field,
                    format!("at most {MAX_FILTER_ENTRIES} entries (got {count})"),
                ));
            }
        }
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
pub fn open(
    bus: &Arc<UpdateBus>,
    request: &StreamDeliveriesRequest,
) -> Result<DeliveryUpdateStream, ApiError> {
    let filter = StreamFilter::parse(request)?;
    let since_sequence = request.since_sequence;
    let since_time = request.since_time.as_ref().map(millis);
    let (backlog, live) = bus.subscribe(|update| {
        (since_sequence > 0 && update.sequence > since_sequence)
            || since_time.is_some_and(|time| update.occurred_at >= time)
    });
    let (sender, receiver) = mpsc::channel(STREAM_BUFFER);
    tokio::spawn(forward(filter, backlog, live, sender));
    Ok(Box::pin(ReceiverStream::new(receiver)))
}

type Sender = mpsc::Sender<Result<proto::DeliveryUpdate, Status>>;

async fn forward(
    filter: StreamFilter,
    backlog: Vec<Update>,
    mut live: broadcast::Receiver<Update>,
    sender: Sender,
) {
    for update in backlog.iter().filter(|u| filter.matches(u)) {
        if sender.send(Ok(update_to_proto(update))).await.is_err() {
            return;
        }
    }
    loop {
        let message = tokio::select! {
            received = live.recv() => match received {
                Ok(update) if filter.matches(&update) => update_to_proto(&update),
                Ok(_) => continue,
                Err(broadcast::error::RecvError::Lagged(missed)) => notice(proto::UpdateKind::Lagged, missed),
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = tokio::time::sleep(HEARTBEAT_INTERVAL) => notice(proto::UpdateKind::Heartbeat, 0),
            _ = sender.closed() => return,
        };
        if sender.send(Ok(message)).await.is_err() {
            return;
        }
    }
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
    use crate::domain::{DeliveryId, EndpointId, EventType};
    use crate::updates::UpdateKind;

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
