//! The HTTP listener: health probes, the JSON API, Prometheus metrics and
//! the dashboard page (embedded in the binary).

mod api;
mod prometheus;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse};
use axum::routing::get;

use crate::service::Services;

/// The dashboard: one self-contained page, no build step, no CDN.
const DASHBOARD: &str = include_str!("dashboard.html");

/// What the HTTP handlers share.
#[derive(Clone)]
pub struct HttpState {
    /// True while the store answers and no shutdown has begun.
    pub ready: Arc<AtomicBool>,
    pub services: Services,
}

pub fn router(state: HttpState) -> Router {
    // Data needs a key with read access (when keys are configured); the
    // page itself and the probes do not.
    let data = Router::new()
        .route("/metrics", get(prometheus::handler))
        .route("/api/v1/metrics", get(api::metrics))
        .route("/api/v1/endpoints", get(api::endpoints))
        .route("/api/v1/deliveries", get(api::deliveries))
        .route("/api/v1/attempts", get(api::attempts))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            require_read,
        ));
    Router::new()
        .route("/", get(dashboard))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .merge(data)
        .fallback(api::not_found)
        .with_state(state)
}

async fn require_read(
    State(state): State<HttpState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    match state
        .services
        .api_keys
        .check(authorization, Some(crate::domain::Permission::Read))
    {
        Ok(()) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}

async fn dashboard() -> impl IntoResponse {
    ([(header::CACHE_CONTROL, "no-cache")], Html(DASHBOARD))
}

/// Liveness: the process answers.
async fn healthz() -> &'static str {
    "ok\n"
}

/// Readiness: the store answers and no shutdown has begun.
async fn readyz(State(state): State<HttpState>) -> (StatusCode, &'static str) {
    if state.ready.load(Ordering::Acquire) {
        (StatusCode::OK, "ready\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready\n")
    }
}
