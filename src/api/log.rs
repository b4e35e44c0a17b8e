//! The event log over gRPC: GetEvent, ListEvents, ListDeliveries,
//! ListDeadLetters, RedriveDeadLetters and Replay.

use super::convert::{attempt_to_proto, delivery_to_proto, event_to_proto};
use super::page::{Page, page_request};
use super::{fields, proto};
use crate::domain::{DeliveryState, EndpointId};
use crate::error::{ApiError, ErrorCode};
use crate::limits::{MAX_DELIVERY_IDS, MAX_REPLAY_RATE, MIN_REPLAY_RATE, reason};
use crate::service::ReplayRequest;
use crate::store::Store;
use crate::store::{DeliveryQuery, EventQuery, RedriveSelection, ReplayTargets};

fn optional_endpoint(field: &str, raw: &str) -> Result<Option<EndpointId>, ApiError> {
    if raw.is_empty() {
        return Ok(None);
    }
    EndpointId::parse(raw)
        .map(Some)
        .map_err(|reason| ApiError::invalid_field(field, reason))
}

/// The store query of a `DeliveryFilter`.
pub fn delivery_query(filter: Option<&proto::DeliveryFilter>) -> Result<DeliveryQuery, ApiError> {
    let Some(filter) = filter else {
        return Ok(DeliveryQuery::default());
    };
    let query = DeliveryQuery {
        start: fields::optional_timestamp("filter.start_time", filter.start_time.as_ref())?,
        end: fields::optional_timestamp("filter.end_time", filter.end_time.as_ref())?,
        event_types: fields::event_patterns("filter.event_types", &filter.event_types)?,
        endpoint_id: optional_endpoint("filter.endpoint_id", &filter.endpoint_id)?,
        states: fields::states("filter.states", &filter.states)?,
    };
    if let (Some(start), Some(end)) = (query.start, query.end)
        && start >= end
    {
        return Err(ApiError::invalid_field(
            "filter.end_time",
            "must be after filter.start_time",
        ));
    }
    Ok(query)
}

pub async fn get_event(
    store: &dyn Store,
    request: proto::GetEventRequest,
) -> Result<proto::GetEventResponse, ApiError> {
    let id = fields::event_id("event_id", &request.event_id)?;
    let event = store.get_event(&id).await?.ok_or_else(|| {
        ApiError::new(ErrorCode::NotFound, format!("event `{id}` does not exist"))
    })?;
    let mut deliveries = Vec::new();
    for record in store.deliveries_for_event(&id).await? {
        let attempts = store.attempts_for_delivery(&record.id).await?;
        let mut delivery = delivery_to_proto(&record);
        delivery.attempts = attempts.iter().map(attempt_to_proto).collect();
        deliveries.push(delivery);
    }
    Ok(proto::GetEventResponse {
        event: Some(event_to_proto(&event)),
        deliveries,
    })
}

pub async fn list_events(
    store: &dyn Store,
    request: proto::ListEventsRequest,
) -> Result<proto::ListEventsResponse, ApiError> {
    let page = page_request(request.page_size, &request.page_token)?;
    let query = EventQuery {
        start: fields::optional_timestamp("start_time", request.start_time.as_ref())?,
        end: fields::optional_timestamp("end_time", request.end_time.as_ref())?,
        event_types: fields::event_patterns("event_types", &request.event_types)?,
        endpoint_id: optional_endpoint("endpoint_id", &request.endpoint_id)?,
    };
    let events = store
        .list_events(&query, page.after(), page.fetch())
        .await?;
    let (events, next_page_token) = page.split(events, |event| event.id.to_string());
    Ok(proto::ListEventsResponse {
        events: events.iter().map(event_to_proto).collect(),
        next_page_token,
    })
}

async fn list_deliveries_page(
    store: &dyn Store,
    query: DeliveryQuery,
    page: Page,
) -> Result<proto::ListDeliveriesResponse, ApiError> {
    let deliveries = store
        .list_deliveries(&query, page.after(), page.fetch())
        .await?;
    let (deliveries, next_page_token) = page.split(deliveries, |delivery| delivery.id.to_string());
    Ok(proto::ListDeliveriesResponse {
        deliveries: deliveries.iter().map(delivery_to_proto).collect(),
        next_page_token,
    })
}

pub async fn list_deliveries(
    store: &dyn Store,
    request: proto::ListDeliveriesRequest,
) -> Result<proto::ListDeliveriesResponse, ApiError> {
    let page = page_request(request.page_size, &request.page_token)?;
    list_deliveries_page(store, delivery_query(request.filter.as_ref())?, page).await
}

pub async fn list_dead_letters(
    store: &dyn Store,
    request: proto::ListDeadLettersRequest,
) -> Result<proto::ListDeliveriesResponse, ApiError> {
    let page = page_request(request.page_size, &request.page_token)?;
    let mut query = delivery_query(request.filter.as_ref())?;
    query.states = vec![DeliveryState::Dead];
    list_deliveries_page(store, query, page).await
}

/// Checks a RedriveDeadLetters request: which dead letters.
pub fn redrive_selection(
    request: &proto::RedriveDeadLettersRequest,
) -> Result<RedriveSelection, ApiError> {
    let ids = fields::delivery_ids("delivery_ids", &request.delivery_ids, MAX_DELIVERY_IDS)?;
    if !ids.is_empty() {
        return Ok(RedriveSelection::Ids(ids));
    }
    if request.filter.is_none() {
        return Err(ApiError::invalid_field(
            "filter",
            "name delivery_ids or give a filter (an empty filter redrives every dead letter)",
        ));
    }
    let mut query = delivery_query(request.filter.as_ref())?;
    query.states = vec![DeliveryState::Dead];
    Ok(RedriveSelection::Matching(query))
}

/// Milliseconds between the deliveries of a bulk replay capped at
/// `max_per_second` (0: no cap). Rates outside
/// [`MIN_REPLAY_RATE`, `MAX_REPLAY_RATE`] are refused, so the spacing, and
/// the due times computed from it, stay far from overflow.
fn replay_spacing_ms(max_per_second: f64) -> Result<i64, ApiError> {
    if max_per_second == 0.0 {
        return Ok(0);
    }
    if !(MIN_REPLAY_RATE..=MAX_REPLAY_RATE).contains(&max_per_second) {
        return Err(ApiError::invalid_field(
            "max_per_second",
            format!(
                "must be 0 (no cap) or a rate from {MIN_REPLAY_RATE:e} (one a day) to {MAX_REPLAY_RATE} per second (got {max_per_second})"
            ),
        )
        .with_reason(reason::OUT_OF_RANGE));
    }
    // In range, 1000 / rate is at most 86,400,000: it fits an i64 exactly.
    Ok((1000.0 / max_per_second).ceil() as i64)
}

/// Checks a Replay request.
pub fn replay_request(request: proto::ReplayRequest) -> Result<ReplayRequest, ApiError> {
    let spacing_ms = replay_spacing_ms(request.max_per_second)?;
    match (request.event_id.is_empty(), request.filter.as_ref()) {
        (false, Some(_)) => Err(ApiError::invalid_field(
            "filter",
            "set either event_id (one event) or filter (bulk), not both",
        )),
        (true, None) => Err(ApiError::invalid_field(
            "event_id",
            "set event_id to replay one event, or filter to replay many",
        )),
        (true, Some(filter)) => Ok(ReplayRequest::Matching {
            query: delivery_query(Some(filter))?,
            spacing_ms,
            dry_run: request.dry_run,
        }),
        (false, None) => {
            let event_id = fields::event_id("event_id", &request.event_id)?;
            let targets = if request.endpoint_ids.is_empty() {
                ReplayTargets::Original
            } else {
                ReplayTargets::Endpoints(fields::endpoint_ids(
                    "endpoint_ids",
                    &request.endpoint_ids,
                )?)
            };
            Ok(ReplayRequest::Event {
                event_id,
                targets,
                dry_run: request.dry_run,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_rates_out_of_range_are_refused() {
        assert_eq!(replay_spacing_ms(0.0), Ok(0));
        assert_eq!(replay_spacing_ms(10.0), Ok(100));
        assert_eq!(replay_spacing_ms(MIN_REPLAY_RATE), Ok(86_400_000));
        for bad in [1e-300, -1.0, f64::NAN, f64::INFINITY, 1e12] {
            assert_eq!(
                replay_spacing_ms(bad).unwrap_err().reason,
                reason::OUT_OF_RANGE,
                "{bad}"
            );
        }
    }
}
