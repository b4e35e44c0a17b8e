//! Dispatch requests, parsed into the service's `NewEvent`.

use super::convert::payload_from_struct;
use super::fields;
use super::proto::DispatchRequest;
use super::proto::dispatch_request::Body;
use crate::delivery::operational;
use crate::domain::{CanonicalPayload, EventType, MAX_ID_LEN, PayloadError, TraceContext};
use crate::error::{ApiError, ErrorCode};
use crate::limits::reason;
use crate::service::NewEvent;
use crate::store::Routing;

/// Checks a Dispatch request; `limit` is the payload limit in bytes.
pub fn parse(request: DispatchRequest, limit: usize) -> Result<NewEvent, ApiError> {
    let event_type = EventType::parse(&request.event_type)
        .map_err(|reason| ApiError::invalid_field("event_type", reason))?;
    if operational::is_reserved(event_type.as_str()) {
        return Err(ApiError::invalid_field(
            "event_type",
            format!(
                "the `{}` prefix is reserved for webhookd's own operational events; choose another event type",
                operational::RESERVED_PREFIX
            ),
        ));
    }
    let payload = match &request.body {
        Some(Body::Payload(payload)) => {
            CanonicalPayload::from_object(&payload_from_struct(payload), limit)
                .map_err(|e| payload_error("payload", e))?
        }
        Some(Body::PayloadJson(text)) => CanonicalPayload::from_json_text(text, limit)
            .map_err(|e| payload_error("payload_json", e))?,
        None => {
            return Err(ApiError::invalid_field(
                "payload",
                "a payload is required: set `payload` (a JSON object) or `payload_json` (a string of JSON)",
            ));
        }
    };
    let idempotency_key = match request.idempotency_key.as_str() {
        "" => None,
        key if key.len() > MAX_ID_LEN => {
            return Err(ApiError::invalid_field(
                "idempotency_key",
                format!("must be at most {MAX_ID_LEN} bytes (got {})", key.len()),
            ));
        }
        key => Some(key.to_owned()),
    };
    let ordering_key = match request.ordering_key.as_str() {
        "" => None,
        key if key.len() > MAX_ID_LEN => {
            return Err(ApiError::invalid_field(
                "ordering_key",
                format!("must be at most {MAX_ID_LEN} bytes (got {})", key.len()),
            ));
        }
        key => Some(key.to_owned()),
    };
    let routing = if request.endpoint_ids.is_empty() {
        Routing::Subscribed
    } else {
        Routing::Targeted(fields::endpoint_ids("endpoint_ids", &request.endpoint_ids)?)
    };
    Ok(NewEvent {
        event_type,
        payload,
        idempotency_key,
        ordering_key,
        // From the request's metadata, which the caller holds.
        trace: None,
        routing,
    })
}

/// The producer's W3C trace context, from the `traceparent` and
/// `tracestate` metadata; `None` when absent or invalid (ignored, as the
/// specification asks).
pub fn trace_context(metadata: &tonic::metadata::MetadataMap) -> Option<TraceContext> {
    let text = |name: &str| metadata.get(name).and_then(|value| value.to_str().ok());
    TraceContext::parse(text("traceparent")?, text("tracestate"))
}

/// A payload error at `field`; too large is a resource limit, the rest a
/// bad argument.
fn payload_error(field: &str, error: PayloadError) -> ApiError {
    let invalid = ApiError::invalid_field(field, &error);
    match error {
        PayloadError::TooLarge { limit, .. } => ApiError {
            code: ErrorCode::ResourceExhausted,
            ..invalid
        }
        .with_reason(reason::PAYLOAD_TOO_LARGE)
        .with_metadata("limit", limit.to_string()),
        _ => invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(event_type: &str, json: &str) -> DispatchRequest {
        DispatchRequest {
            event_type: event_type.to_owned(),
            body: Some(Body::PayloadJson(json.to_owned())),
            ..Default::default()
        }
    }

    #[test]
    fn rejects_bad_requests_with_the_field_at_fault() {
        let cases = [
            (
                "bad event type",
                request("Order.Created", "{}"),
                "event_type",
            ),
            ("empty event type", request("", "{}"), "event_type"),
            (
                "missing payload",
                DispatchRequest {
                    event_type: "a.b".to_owned(),
                    ..Default::default()
                },
                "payload",
            ),
            (
                "payload not an object",
                request("a.b", "[1,2]"),
                "payload_json",
            ),
            ("payload not json", request("a.b", "{oops"), "payload_json"),
            (
                "payload too large",
                request("a.b", &format!("{{\"x\":\"{}\"}}", "y".repeat(100))),
                "payload_json",
            ),
            (
                "key too long",
                DispatchRequest {
                    idempotency_key: "k".repeat(256),
                    ..request("a.b", "{}")
                },
                "idempotency_key",
            ),
            (
                "bad endpoint id",
                DispatchRequest {
                    endpoint_ids: vec!["ok".to_owned(), "not ok".to_owned()],
                    ..request("a.b", "{}")
                },
                "endpoint_ids[1]",
            ),
        ];
        for (case, request, field) in cases {
            let err = parse(request, 64)
                .err()
                .unwrap_or_else(|| panic!("case `{case}` should fail"));
            let expected = if case == "payload too large" {
                ErrorCode::ResourceExhausted
            } else {
                ErrorCode::InvalidArgument
            };
            assert_eq!(err.code, expected, "case `{case}`");
            assert_eq!(
                err.field_violations[0].0, field,
                "case `{case}`: {}",
                err.message
            );
        }
    }

    // Fuzz: any Dispatch request and any page request is accepted or refused
    // with an error, never a panic.
    proptest::proptest! {
        #[test]
        fn fuzz_any_dispatch_request_validates_cleanly(
            event_type in "\\PC{0,40}",
            json in "\\PC{0,200}",
            key in "\\PC{0,300}",
            ids in proptest::collection::vec("\\PC{0,20}", 0..120),
        ) {
            let mut dispatch = request(&event_type, &json);
            dispatch.idempotency_key = key;
            dispatch.endpoint_ids = ids;
            if let Err(e) = parse(dispatch, 1024) {
                proptest::prop_assert!(!e.message.is_empty());
            }
        }

        #[test]
        fn fuzz_any_page_request_validates_cleanly(size: u32, token in "\\PC{0,80}") {
            let _ = super::super::page::page_request(size, &token);
        }
    }
}
