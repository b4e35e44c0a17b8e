//! `/metrics`: this process's counters and the database's backlog gauges,
//! in the Prometheus text format, encoded by the Prometheus project's own
//! client (`prometheus-client`). Each instance exports its own counters;
//! Prometheus sums them.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::HttpState;
use crate::clock::now_millis;
use crate::delivery::counters::{Counters, EndpointLabels, MAX_LABELLED_ENDPOINTS};
use crate::error::{ApiError, ErrorCode};
use crate::service::metrics::{self, EndpointBacklog};

/// The content type of the text format `encode` writes (OpenMetrics 1.0,
/// which Prometheus reads natively).
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// A registry of `counters` and of gauges of each endpoint's backlog and
/// active flag (the first `MAX_LABELLED_ENDPOINTS` endpoints).
fn registry(counters: &Counters, backlogs: &[EndpointBacklog]) -> Registry {
    let mut registry = Registry::with_prefix("webhookd");
    registry.register(
        "dispatched_events",
        "Events accepted by Dispatch on this instance",
        counters.dispatched_events.clone(),
    );
    registry.register(
        "attempts",
        "Delivery attempts by endpoint and outcome (success or error kind)",
        counters.attempts.clone(),
    );
    registry.register(
        "dead_lettered",
        "Deliveries dead-lettered by endpoint",
        counters.dead_lettered.clone(),
    );
    registry.register(
        "attempt_duration_seconds",
        "Duration of delivery attempts by endpoint",
        counters.attempt_duration.clone(),
    );
    let pending = Family::<EndpointLabels, Gauge>::default();
    let active = Family::<EndpointLabels, Gauge>::default();
    for backlog in backlogs.iter().take(MAX_LABELLED_ENDPOINTS) {
        let labels = EndpointLabels {
            endpoint: backlog.endpoint.id.to_string(),
        };
        pending
            .get_or_create(&labels)
            .set(i64::try_from(backlog.pending).unwrap_or(i64::MAX));
        active
            .get_or_create(&labels)
            .set(i64::from(backlog.endpoint.active));
    }
    registry.register(
        "pending_deliveries",
        "Deliveries not yet finished, by endpoint (whole database)",
        pending,
    );
    registry.register(
        "endpoint_active",
        "1 while the endpoint is enabled, 0 while disabled",
        active,
    );
    registry
}

pub async fn handler(State(state): State<HttpState>) -> Result<impl IntoResponse, ApiError> {
    // Gauges need only the backlog, not the attempt scan of a full report.
    let backlogs = metrics::backlogs(state.services.store.as_ref(), now_millis()).await?;
    let mut text = String::new();
    encode(&mut text, &registry(&state.services.counters, &backlogs))
        .map_err(|_| ApiError::new(ErrorCode::Internal, "failed to encode the metrics"))?;
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], text))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::domain::{EndpointId, ErrorKind};

    #[test]
    fn counters_are_encoded_with_their_labels() {
        let counters = Counters::new();
        let endpoint = EndpointId::parse("ep_1").unwrap();
        counters.observe_attempt(&endpoint, None, Duration::from_millis(20));
        counters.observe_attempt(&endpoint, Some(ErrorKind::Timeout), Duration::from_secs(2));
        let mut text = String::new();
        encode(&mut text, &registry(&counters, &[])).unwrap();
        assert!(text.contains("webhookd_attempts_total{endpoint=\"ep_1\",outcome=\"success\"} 1"));
        assert!(text.contains("webhookd_attempts_total{endpoint=\"ep_1\",outcome=\"timeout\"} 1"));
        assert!(text.contains(
            "webhookd_attempt_duration_seconds_bucket{le=\"0.025\",endpoint=\"ep_1\"} 1"
        ));
        assert!(text.contains("webhookd_attempt_duration_seconds_count{endpoint=\"ep_1\"} 2"));
    }
}
