//! The JSON API under `/api/v1` and the Prometheus export. It reports the
//! same figures as GetMetrics; errors are `{code, detail}` with the status
//! that `ErrorCode` maps to.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::HttpState;
use crate::clock::now_millis;
use crate::clock::rfc3339;
use crate::domain::{DeliveryState, EndpointId};
use crate::error::{ApiError, ErrorCode};
use crate::limits::reason;
use crate::service::metrics::{self, EndpointStatus, LatencySummary, Report};
use crate::store::{DeliveryQuery, MAX_PAGE_SIZE};

/// Rows a list returns when the request names no limit.
const DEFAULT_LIMIT: usize = 50;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Body {
            code: &'static str,
            /// The same stable reason code as gRPC's `ErrorInfo.reason`.
            reason: &'static str,
            detail: String,
        }
        let code = match self.code {
            ErrorCode::InvalidArgument => "invalid_argument",
            ErrorCode::NotFound => "not_found",
            ErrorCode::AlreadyExists => "already_exists",
            ErrorCode::FailedPrecondition => "failed_precondition",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::PermissionDenied => "permission_denied",
            ErrorCode::ResourceExhausted => "resource_exhausted",
        };
        let status = StatusCode::from_u16(self.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (
            status,
            Json(Body {
                code,
                reason: self.reason,
                detail: self.message,
            }),
        )
            .into_response()
    }
}

/// Query parameters, with a malformed query answered by the documented
/// JSON error (axum's own rejection is plain text).
pub struct JsonQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for JsonQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(params)| JsonQuery(params))
            .map_err(|rejection| ApiError::invalid_field("query", rejection.body_text()))
    }
}

pub async fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        "no such path; see /api/v1/metrics, /api/v1/endpoints, /api/v1/deliveries, /api/v1/attempts, /metrics",
    )
}

#[derive(Serialize)]
struct Latency {
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
}

impl From<LatencySummary> for Latency {
    fn from(summary: LatencySummary) -> Self {
        Latency {
            p50: summary.p50_ms,
            p95: summary.p95_ms,
            p99: summary.p99_ms,
            max: summary.max_ms,
        }
    }
}

#[derive(Serialize)]
struct EndpointJson {
    endpoint_id: String,
    url: String,
    active: bool,
    disabled_reason: String,
    circuit_state: String,
    consecutive_failures: u32,
    attempted: u64,
    succeeded: u64,
    success_rate: f64,
    latency_ms: Latency,
    pending: u64,
    oldest_pending_age_seconds: f64,
    concurrency_limit: usize,
    concurrency_window: usize,
    /// The endpoint's payload filter, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    filter: Option<serde_json::Map<String, serde_json::Value>>,
}

impl From<&EndpointStatus> for EndpointJson {
    fn from(status: &EndpointStatus) -> Self {
        EndpointJson {
            endpoint_id: status.endpoint.id.to_string(),
            url: status.endpoint.url.clone(),
            active: status.endpoint.active,
            disabled_reason: status.endpoint.disabled_reason.clone().unwrap_or_default(),
            circuit_state: status.circuit_state.clone(),
            consecutive_failures: status.endpoint.consecutive_failures,
            attempted: status.attempted,
            succeeded: status.succeeded,
            success_rate: status.success_rate,
            latency_ms: status.latency.into(),
            pending: status.pending,
            oldest_pending_age_seconds: status.oldest_pending_age_seconds,
            concurrency_limit: status.concurrency.limit,
            concurrency_window: status.concurrency.window,
            filter: status
                .endpoint
                .filter
                .as_ref()
                .map(|filter| filter.source().clone()),
        }
    }
}

#[derive(Serialize)]
struct SeriesJson {
    start: String,
    attempted: u64,
    succeeded: u64,
    failed: u64,
    p50_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
}

#[derive(Serialize)]
struct MetricsJson {
    window_seconds: u64,
    attempted: u64,
    succeeded: u64,
    failed: u64,
    dead_lettered: u64,
    success_rate: f64,
    latency_ms: Latency,
    failures_by_error_kind: BTreeMap<String, u64>,
    failures_by_status_class: BTreeMap<String, u64>,
    series: Vec<SeriesJson>,
    endpoints: Vec<EndpointJson>,
    retry_budget: RetryBudgetJson,
}

#[derive(Serialize)]
struct RetryBudgetJson {
    slots: usize,
    in_flight: usize,
    deferred: u64,
}

impl From<&Report> for MetricsJson {
    fn from(report: &Report) -> Self {
        MetricsJson {
            window_seconds: report.window.as_secs(),
            attempted: report.attempted,
            succeeded: report.succeeded,
            failed: report.failed,
            dead_lettered: report.dead_lettered,
            success_rate: report.success_rate,
            latency_ms: report.latency.into(),
            failures_by_error_kind: report.failures_by_error_kind.clone(),
            failures_by_status_class: report.failures_by_status_class.clone(),
            series: report
                .series
                .iter()
                .map(|point| SeriesJson {
                    start: rfc3339(point.start),
                    attempted: point.attempted,
                    succeeded: point.succeeded,
                    failed: point.attempted - point.succeeded,
                    p50_ms: point.latency.p50_ms,
                    p95_ms: point.latency.p95_ms,
                    p99_ms: point.latency.p99_ms,
                })
                .collect(),
            endpoints: report.endpoints.iter().map(EndpointJson::from).collect(),
            retry_budget: RetryBudgetJson {
                slots: report.retry_budget.slots,
                in_flight: report.retry_budget.in_flight,
                deferred: report.retry_budget.deferred,
            },
        }
    }
}

#[derive(Deserialize)]
pub struct MetricsParams {
    /// Seconds; default 300, at most 86400.
    window: Option<u64>,
    endpoint: Option<String>,
}

pub async fn metrics(
    State(state): State<HttpState>,
    JsonQuery(params): JsonQuery<MetricsParams>,
) -> Result<impl IntoResponse, ApiError> {
    let (window, endpoint) = metrics::scope(
        params.window.unwrap_or(0),
        params.endpoint.as_deref().unwrap_or(""),
    )?;
    if let Some(id) = &endpoint
        && state.services.store.get_endpoint(id).await?.is_none()
    {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            format!("endpoint `{id}` does not exist"),
        ));
    }
    let report = metrics::report(&state.services, window, endpoint.as_ref(), now_millis()).await?;
    Ok(Json(MetricsJson::from(&report)))
}

pub async fn endpoints(State(state): State<HttpState>) -> Result<impl IntoResponse, ApiError> {
    #[derive(Serialize)]
    struct Body {
        endpoints: Vec<EndpointJson>,
    }
    let report =
        metrics::report(&state.services, metrics::DEFAULT_WINDOW, None, now_millis()).await?;
    Ok(Json(Body {
        endpoints: report.endpoints.iter().map(EndpointJson::from).collect(),
    }))
}

fn limit(raw: Option<usize>) -> Result<usize, ApiError> {
    match raw.unwrap_or(DEFAULT_LIMIT) {
        0 => Ok(DEFAULT_LIMIT),
        limit if limit > MAX_PAGE_SIZE => Err(ApiError::invalid_field(
            "limit",
            format!("must be at most {MAX_PAGE_SIZE} (got {limit})"),
        )
        .with_reason(reason::PAGE_SIZE_TOO_LARGE)
        .with_metadata("limit", MAX_PAGE_SIZE.to_string())),
        limit => Ok(limit),
    }
}

#[derive(Deserialize)]
pub struct DeliveriesParams {
    state: Option<String>,
    endpoint: Option<String>,
    limit: Option<usize>,
    /// From a previous response's `next_page_token`.
    after: Option<String>,
}

pub async fn deliveries(
    State(state): State<HttpState>,
    JsonQuery(params): JsonQuery<DeliveriesParams>,
) -> Result<impl IntoResponse, ApiError> {
    #[derive(Serialize)]
    struct DeliveryJson {
        id: String,
        event_id: String,
        endpoint_id: String,
        event_type: String,
        state: &'static str,
        attempt_count: u32,
        last_error: String,
        created_at: String,
        updated_at: String,
    }
    #[derive(Serialize)]
    struct Body {
        deliveries: Vec<DeliveryJson>,
        next_page_token: String,
    }
    let limit = limit(params.limit)?;
    let mut query = DeliveryQuery::default();
    if let Some(raw) = params.state.as_deref().filter(|s| !s.is_empty()) {
        let parsed: DeliveryState = raw.parse().map_err(|reason: crate::domain::DomainError| {
            ApiError::invalid_field("state", reason)
        })?;
        query.states = vec![parsed];
    }
    if let Some(raw) = params.endpoint.as_deref().filter(|s| !s.is_empty()) {
        query.endpoint_id = Some(
            EndpointId::parse(raw).map_err(|reason| ApiError::invalid_field("endpoint", reason))?,
        );
    }
    let mut rows = state
        .services
        .store
        .list_deliveries(
            &query,
            params.after.as_deref().filter(|a| !a.is_empty()),
            limit + 1,
        )
        .await?;
    let next_page_token = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|d| d.id.to_string()).unwrap_or_default()
    } else {
        String::new()
    };
    Ok(Json(Body {
        deliveries: rows
            .iter()
            .map(|d| DeliveryJson {
                id: d.id.to_string(),
                event_id: d.event_id.to_string(),
                endpoint_id: d.endpoint_id.to_string(),
                event_type: d.event_type.to_string(),
                state: d.state.as_str(),
                attempt_count: d.attempt_count,
                last_error: d.last_error.clone().unwrap_or_default(),
                created_at: rfc3339(d.created_at),
                updated_at: rfc3339(d.updated_at),
            })
            .collect(),
        next_page_token,
    }))
}

#[derive(Deserialize)]
pub struct AttemptsParams {
    failed: Option<bool>,
    limit: Option<usize>,
}

pub async fn attempts(
    State(state): State<HttpState>,
    JsonQuery(params): JsonQuery<AttemptsParams>,
) -> Result<impl IntoResponse, ApiError> {
    #[derive(Serialize)]
    struct AttemptJson {
        delivery_id: String,
        event_id: String,
        endpoint_id: String,
        event_type: String,
        attempt: i64,
        started_at: String,
        duration_ms: i64,
        http_status: i64,
        error_kind: String,
        error_message: String,
    }
    #[derive(Serialize)]
    struct Body {
        attempts: Vec<AttemptJson>,
    }
    let rows = state
        .services
        .store
        .recent_attempts(params.failed.unwrap_or(false), limit(params.limit)?)
        .await?;
    Ok(Json(Body {
        attempts: rows
            .into_iter()
            .map(|a| AttemptJson {
                started_at: rfc3339(a.started_at),
                delivery_id: a.delivery_id,
                event_id: a.event_id,
                endpoint_id: a.endpoint_id,
                event_type: a.event_type,
                attempt: a.attempt_number,
                duration_ms: a.duration_ms,
                http_status: a.http_status.unwrap_or(0),
                error_kind: a.error_kind.unwrap_or_default(),
                error_message: a.error_message.unwrap_or_default(),
            })
            .collect(),
    }))
}
