//! Parsing of repeated request fields into domain types, with errors that
//! name the offending element (`endpoint_ids[2]`).

use super::convert::state_from_proto;
use crate::domain::{DeliveryState, EndpointId, EventPattern};
use crate::error::ApiError;

fn each<T>(
    field: &str,
    raw: &[impl AsRef<str>],
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, ApiError> {
    raw.iter()
        .enumerate()
        .map(|(index, item)| {
            parse(item.as_ref())
                .map_err(|reason| ApiError::invalid_field(&format!("{field}[{index}]"), reason))
        })
        .collect()
}

pub fn endpoint_ids(field: &str, raw: &[String]) -> Result<Vec<EndpointId>, ApiError> {
    each(field, raw, EndpointId::parse)
}

pub fn event_patterns(field: &str, raw: &[String]) -> Result<Vec<EventPattern>, ApiError> {
    each(field, raw, EventPattern::parse)
}

pub fn states(field: &str, raw: &[i32]) -> Result<Vec<DeliveryState>, ApiError> {
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
