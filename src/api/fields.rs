//! Parsing of request fields into domain types, with errors that name the
//! offending element (`endpoint_ids[2]`). Every repeated field is capped
//! here, so no request can make a query of unbounded size.

use prost_types::Timestamp;

use super::convert::state_from_proto;
use crate::domain::{DeliveryId, DeliveryState, EndpointId, EventId, EventPattern};
use crate::error::ApiError;
use crate::limits::{MAX_ENDPOINT_IDS, MAX_EVENT_TYPES, MAX_STATES, reason};

/// Earliest and latest instants a protobuf `Timestamp` may hold
/// (0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z).
const MIN_TIMESTAMP_SECONDS: i64 = -62_135_596_800;
const MAX_TIMESTAMP_SECONDS: i64 = 253_402_300_799;

fn each<T>(
    field: &str,
    raw: &[impl AsRef<str>],
    (limit, limit_reason): (usize, &'static str),
    parse: impl Fn(&str) -> Result<T, crate::domain::DomainError>,
) -> Result<Vec<T>, ApiError> {
    if raw.len() > limit {
        return Err(ApiError::too_many(field, limit, raw.len(), limit_reason));
    }
    raw.iter()
        .enumerate()
        .map(|(index, item)| {
            parse(item.as_ref())
                .map_err(|reason| ApiError::invalid_field(&format!("{field}[{index}]"), reason))
        })
        .collect()
}

pub fn endpoint_ids(field: &str, raw: &[String]) -> Result<Vec<EndpointId>, ApiError> {
    each(
        field,
        raw,
        (MAX_ENDPOINT_IDS, reason::TOO_MANY_ENDPOINT_IDS),
        EndpointId::parse,
    )
}

pub fn event_patterns(field: &str, raw: &[String]) -> Result<Vec<EventPattern>, ApiError> {
    each(
        field,
        raw,
        (MAX_EVENT_TYPES, reason::TOO_MANY_EVENT_TYPES),
        EventPattern::parse,
    )
}

pub fn delivery_ids(
    field: &str,
    raw: &[String],
    limit: usize,
) -> Result<Vec<DeliveryId>, ApiError> {
    each(
        field,
        raw,
        (limit, reason::TOO_MANY_DELIVERY_IDS),
        DeliveryId::parse,
    )
}

pub fn states(field: &str, raw: &[i32]) -> Result<Vec<DeliveryState>, ApiError> {
    if raw.len() > MAX_STATES {
        return Err(ApiError::too_many(
            field,
            MAX_STATES,
            raw.len(),
            reason::TOO_MANY_STATES,
        ));
    }
    raw.iter()
        .enumerate()
        .map(|(index, value)| {
            state_from_proto(*value).ok_or_else(|| {
                ApiError::invalid_field(
                    &format!("{field}[{index}]"),
                    format!("{value} is not a delivery state"),
                )
            })
        })
        .collect()
}

/// A required event id.
pub fn event_id(field: &str, raw: &str) -> Result<EventId, ApiError> {
    if raw.is_empty() {
        return Err(ApiError::invalid_field(field, "is required"));
    }
    EventId::parse(raw).map_err(|reason| ApiError::invalid_field(field, reason))
}

/// A protobuf timestamp as unix milliseconds; out-of-range seconds or
/// nanos are refused rather than wrapped.
pub fn timestamp(field: &str, timestamp: &Timestamp) -> Result<i64, ApiError> {
    if !(0..1_000_000_000).contains(&timestamp.nanos) {
        return Err(ApiError::invalid_field(
            field,
            format!(
                "nanos must be from 0 to 999999999 (got {})",
                timestamp.nanos
            ),
        )
        .with_reason(reason::OUT_OF_RANGE));
    }
    if !(MIN_TIMESTAMP_SECONDS..=MAX_TIMESTAMP_SECONDS).contains(&timestamp.seconds) {
        return Err(ApiError::invalid_field(
            field,
            format!(
                "seconds must lie between 0001-01-01 and 9999-12-31 (got {})",
                timestamp.seconds
            ),
        )
        .with_reason(reason::OUT_OF_RANGE));
    }
    Ok(timestamp.seconds * 1000 + i64::from(timestamp.nanos) / 1_000_000)
}

/// An optional timestamp field.
pub fn optional_timestamp(field: &str, value: Option<&Timestamp>) -> Result<Option<i64>, ApiError> {
    value.map(|value| timestamp(field, value)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_out_of_range_are_refused() {
        let at = |seconds, nanos| Timestamp { seconds, nanos };
        assert_eq!(timestamp("t", &at(1, 500_000_000)), Ok(1500));
        assert_eq!(timestamp("t", &at(-1, 0)), Ok(-1000));
        for bad in [
            at(0, -1),
            at(0, 1_000_000_000),
            at(i64::MAX, 0),
            at(MIN_TIMESTAMP_SECONDS - 1, 0),
        ] {
            let error = timestamp("t", &bad).unwrap_err();
            assert_eq!(error.reason, reason::OUT_OF_RANGE, "{bad:?}");
        }
    }

    #[test]
    fn repeated_fields_are_capped() {
        let many = vec!["order.created".to_owned(); MAX_EVENT_TYPES + 1];
        assert_eq!(
            event_patterns("event_types", &many).unwrap_err().reason,
            reason::TOO_MANY_EVENT_TYPES
        );
        assert_eq!(
            states("states", &[1; MAX_STATES + 1]).unwrap_err().reason,
            reason::TOO_MANY_STATES
        );
    }
}
