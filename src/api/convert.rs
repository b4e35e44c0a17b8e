//! Conversions between domain types and protobuf messages.

use prost_types::Timestamp;

use super::proto;
use crate::delivery::updates::{Update, UpdateKind};
use crate::domain::{DeliveryState, SignatureScheme};

/// A protobuf `Struct` payload as the domain's structured payload.
pub fn payload_from_struct(payload: &prost_types::Struct) -> crate::domain::PayloadObject {
    payload
        .fields
        .iter()
        .map(|(key, value)| (key.clone(), payload_value(value)))
        .collect()
}

fn payload_value(value: &prost_types::Value) -> crate::domain::PayloadValue {
    use crate::domain::PayloadValue;
    use prost_types::value::Kind;
    match &value.kind {
        None | Some(Kind::NullValue(_)) => PayloadValue::Null,
        Some(Kind::BoolValue(b)) => PayloadValue::Bool(*b),
        Some(Kind::NumberValue(n)) => PayloadValue::Number(*n),
        Some(Kind::StringValue(s)) => PayloadValue::String(s.clone()),
        Some(Kind::StructValue(s)) => PayloadValue::Object(payload_from_struct(s)),
        Some(Kind::ListValue(list)) => {
            PayloadValue::List(list.values.iter().map(payload_value).collect())
        }
    }
}

/// A protobuf `Struct` as a JSON object; `field` names it in errors
/// (a `Struct` may carry NaN or infinities, which JSON cannot).
pub fn json_from_struct(
    value: &prost_types::Struct,
    field: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, crate::error::ApiError> {
    crate::domain::object_to_json(&payload_from_struct(value), field)
        .map_err(|e| crate::error::ApiError::invalid_field(field, e))
}

/// A JSON object as a protobuf `Struct`.
pub fn struct_from_json(
    object: &serde_json::Map<String, serde_json::Value>,
) -> prost_types::Struct {
    prost_types::Struct {
        fields: object
            .iter()
            .map(|(key, value)| (key.clone(), value_from_json(value)))
            .collect(),
    }
}

fn value_from_json(value: &serde_json::Value) -> prost_types::Value {
    use prost_types::value::Kind;
    use serde_json::Value;
    let kind = match value {
        Value::Null => Kind::NullValue(0),
        Value::Bool(b) => Kind::BoolValue(*b),
        Value::Number(n) => Kind::NumberValue(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => Kind::StringValue(s.clone()),
        Value::Array(list) => Kind::ListValue(prost_types::ListValue {
            values: list.iter().map(value_from_json).collect(),
        }),
        Value::Object(object) => Kind::StructValue(struct_from_json(object)),
    };
    prost_types::Value { kind: Some(kind) }
}

/// Unix milliseconds as a protobuf timestamp.
pub fn timestamp(millis: i64) -> Timestamp {
    Timestamp {
        seconds: millis.div_euclid(1000),
        nanos: (millis.rem_euclid(1000) * 1_000_000) as i32,
    }
}

pub fn state_to_proto(state: DeliveryState) -> proto::DeliveryState {
    match state {
        DeliveryState::Pending => proto::DeliveryState::Pending,
        DeliveryState::InFlight => proto::DeliveryState::InFlight,
        DeliveryState::Succeeded => proto::DeliveryState::Succeeded,
        DeliveryState::Failed => proto::DeliveryState::Failed,
        DeliveryState::Dead => proto::DeliveryState::Dead,
        DeliveryState::Cancelled => proto::DeliveryState::Cancelled,
    }
}

/// The domain state of a proto state; `None` for UNSPECIFIED or unknown
/// numbers.
pub fn state_from_proto(raw: i32) -> Option<DeliveryState> {
    Some(match proto::DeliveryState::try_from(raw).ok()? {
        proto::DeliveryState::Unspecified => return None,
        proto::DeliveryState::Pending => DeliveryState::Pending,
        proto::DeliveryState::InFlight => DeliveryState::InFlight,
        proto::DeliveryState::Succeeded => DeliveryState::Succeeded,
        proto::DeliveryState::Failed => DeliveryState::Failed,
        proto::DeliveryState::Dead => DeliveryState::Dead,
        proto::DeliveryState::Cancelled => DeliveryState::Cancelled,
    })
}

fn kind_to_proto(kind: UpdateKind) -> proto::UpdateKind {
    match kind {
        UpdateKind::Created => proto::UpdateKind::Created,
        UpdateKind::AttemptStarted => proto::UpdateKind::AttemptStarted,
        UpdateKind::Succeeded => proto::UpdateKind::Succeeded,
        UpdateKind::RetryScheduled => proto::UpdateKind::RetryScheduled,
        UpdateKind::DeadLettered => proto::UpdateKind::DeadLettered,
        UpdateKind::Failed => proto::UpdateKind::Failed,
        UpdateKind::Paused => proto::UpdateKind::Paused,
        UpdateKind::Replayed => proto::UpdateKind::Replayed,
        UpdateKind::Cancelled => proto::UpdateKind::Cancelled,
        UpdateKind::CircuitOpened => proto::UpdateKind::CircuitOpened,
        UpdateKind::CircuitClosed => proto::UpdateKind::CircuitClosed,
        UpdateKind::EndpointDisabled => proto::UpdateKind::EndpointDisabled,
        UpdateKind::EndpointEnabled => proto::UpdateKind::EndpointEnabled,
    }
}

pub fn update_to_proto(update: &Update) -> proto::DeliveryUpdate {
    proto::DeliveryUpdate {
        delivery_id: update
            .delivery_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        event_id: update
            .event_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        endpoint_id: update.endpoint_id.to_string(),
        event_type: update
            .event_type
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        state: update
            .state
            .map_or(proto::DeliveryState::Unspecified, state_to_proto) as i32,
        attempt: update.attempt,
        http_status: update.http_status.map_or(0, u32::from),
        error_kind: update
            .error_kind
            .map(|k| k.as_str().to_owned())
            .unwrap_or_default(),
        latency_ms: update.latency_ms,
        next_attempt_at: update.next_attempt_at.map(timestamp),
        occurred_at: Some(timestamp(update.occurred_at)),
        kind: kind_to_proto(update.kind) as i32,
        sequence: update.sequence,
        missed: 0,
        detail: update.detail.clone(),
    }
}

pub fn event_to_proto(event: &crate::domain::Event) -> proto::Event {
    proto::Event {
        id: event.id.to_string(),
        event_type: event.event_type.to_string(),
        // Canonical payloads are JSON text, so always UTF-8.
        payload_json: String::from_utf8_lossy(event.payload.as_bytes()).into_owned(),
        idempotency_key: event.idempotency_key.clone().unwrap_or_default(),
        created_at: Some(timestamp(event.created_at)),
        ordering_key: event.ordering_key.clone().unwrap_or_default(),
    }
}

pub fn delivery_to_proto(delivery: &crate::domain::DeliveryRecord) -> proto::Delivery {
    proto::Delivery {
        id: delivery.id.to_string(),
        event_id: delivery.event_id.to_string(),
        endpoint_id: delivery.endpoint_id.to_string(),
        state: state_to_proto(delivery.state) as i32,
        attempt_count: delivery.attempt_count,
        next_attempt_at: (delivery.state == DeliveryState::Pending
            && !delivery.is_held_for_ordering())
        .then(|| timestamp(delivery.next_attempt_at)),
        last_error: delivery.last_error.clone().unwrap_or_default(),
        replay_of: delivery
            .replay_of
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        created_at: Some(timestamp(delivery.created_at)),
        updated_at: Some(timestamp(delivery.updated_at)),
        attempts: Vec::new(),
        event_type: delivery.event_type.to_string(),
        ordering_key: delivery.ordering_key.clone().unwrap_or_default(),
        waiting_for_ordering_key: delivery.is_held_for_ordering(),
    }
}

pub fn attempt_to_proto(attempt: &crate::domain::AttemptRecord) -> proto::Attempt {
    proto::Attempt {
        number: attempt.attempt_number,
        started_at: Some(timestamp(attempt.started_at)),
        duration_ms: u64::try_from(attempt.duration_ms).unwrap_or(0),
        http_status: attempt.http_status.map_or(0, u32::from),
        error_kind: attempt
            .error_kind
            .map(|k| k.as_str().to_owned())
            .unwrap_or_default(),
        error_message: attempt.error_message.clone().unwrap_or_default(),
        response_excerpt: attempt.response_excerpt.clone().unwrap_or_default(),
    }
}

/// An endpoint as the API shows it.
pub fn endpoint_to_proto(view: &crate::service::EndpointView) -> proto::Endpoint {
    let endpoint = &view.record;
    proto::Endpoint {
        id: endpoint.id.to_string(),
        url: endpoint.url.clone(),
        event_types: endpoint.event_patterns.clone(),
        active: endpoint.active,
        disabled_reason: endpoint.disabled_reason.clone().unwrap_or_default(),
        disabled_at: endpoint.disabled_at.map(timestamp),
        origin: endpoint.origin.as_str().to_owned(),
        secret_hint: endpoint.secret_hint.clone().unwrap_or_default(),
        previous_secret_expires_at: endpoint.previous_secret_expires_at.map(timestamp),
        consecutive_failures: endpoint.consecutive_failures,
        created_at: Some(timestamp(endpoint.created_at)),
        updated_at: Some(timestamp(endpoint.updated_at)),
        circuit_state: view.circuit_state.to_owned(),
        signature_scheme: match endpoint.signature_scheme {
            SignatureScheme::Webhookd => proto::SignatureScheme::Webhookd,
            SignatureScheme::Standard => proto::SignatureScheme::Standard,
        } as i32,
        public_key: endpoint.public_key.clone().unwrap_or_default(),
        headers: endpoint.headers.shown().into_iter().collect(),
        retry_policy: endpoint
            .retry_schedule
            .as_ref()
            .map(|schedule| proto::EndpointRetryPolicy {
                max_attempts: schedule.max_attempts.unwrap_or(0),
                delays_seconds: schedule.delays_seconds(),
            }),
        filter: endpoint
            .filter
            .as_ref()
            .map(|filter| struct_from_json(filter.source())),
    }
}

fn latency_to_proto(latency: &crate::service::metrics::LatencySummary) -> proto::LatencySummary {
    proto::LatencySummary {
        p50_ms: latency.p50_ms,
        p95_ms: latency.p95_ms,
        p99_ms: latency.p99_ms,
        max_ms: latency.max_ms,
    }
}

pub fn report_to_proto(report: &crate::service::metrics::Report) -> proto::GetMetricsResponse {
    proto::GetMetricsResponse {
        attempted: report.attempted,
        succeeded: report.succeeded,
        failed: report.failed,
        dead_lettered: report.dead_lettered,
        success_rate: report.success_rate,
        latency_p50_ms: report.latency.p50_ms,
        latency_p95_ms: report.latency.p95_ms,
        latency_p99_ms: report.latency.p99_ms,
        failures_by_error_kind: report.failures_by_error_kind.clone().into_iter().collect(),
        latency_max_ms: report.latency.max_ms,
        failures_by_status_class: report
            .failures_by_status_class
            .clone()
            .into_iter()
            .collect(),
        endpoints: report
            .endpoints
            .iter()
            .map(|status| proto::EndpointStatus {
                endpoint_id: status.endpoint.id.to_string(),
                active: status.endpoint.active,
                disabled_reason: status.endpoint.disabled_reason.clone().unwrap_or_default(),
                circuit_state: status.circuit_state.clone(),
                consecutive_failures: status.endpoint.consecutive_failures,
                attempted: status.attempted,
                succeeded: status.succeeded,
                success_rate: status.success_rate,
                latency: Some(latency_to_proto(&status.latency)),
                pending: status.pending,
                oldest_pending_age_seconds: status.oldest_pending_age_seconds,
                concurrency_limit: small(status.concurrency.limit),
                concurrency_window: small(status.concurrency.window),
            })
            .collect(),
        window_seconds: u32::try_from(report.window.as_secs()).unwrap_or(u32::MAX),
        retry_budget_slots: small(report.retry_budget.slots),
        retries_in_flight: small(report.retry_budget.in_flight),
        retries_deferred: report.retry_budget.deferred,
    }
}

/// A count as a `uint32`, saturating.
fn small(count: usize) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_including_before_the_epoch() {
        for ms in [0, 1, 999, 1_700_000_000_123, -1, -1001] {
            assert_eq!(
                super::super::fields::timestamp("t", &timestamp(ms)),
                Ok(ms),
                "{ms}"
            );
        }
    }

    #[test]
    fn every_state_round_trips() {
        for state in DeliveryState::ALL {
            assert_eq!(state_from_proto(state_to_proto(state) as i32), Some(state));
        }
        assert_eq!(state_from_proto(0), None);
        assert_eq!(state_from_proto(99), None);
    }
}
