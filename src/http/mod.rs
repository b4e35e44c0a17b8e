//! The HTTP listener: health probes, the JSON API, Prometheus metrics and
//! the dashboard page (embedded in the binary).

mod api;

pub use api::{metrics_scope, rfc3339};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse};
use axum::routing::get;

use crate::metrics::Counters;
use crate::store::Store;

/// The dashboard: one self-contained page, no build step, no CDN.
const DASHBOARD: &str = include_str!("dashboard.html");

/// What the HTTP handlers share.
#[derive(Clone)]
pub struct HttpState {
    /// True while the store answers and no shutdown has begun.
    pub ready: Arc<AtomicBool>,
    pub store: Arc<dyn Store>,
    pub counters: Arc<Counters>,
    pub health: Arc<crate::health::EndpointHealth>,
}

pub fn router(state: HttpState) -> Router {
    Router::new()
        .route("/", get(dashboard))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(api::prometheus))
        .route("/api/v1/metrics", get(api::metrics))
        .route("/api/v1/endpoints", get(api::endpoints))
        .route("/api/v1/deliveries", get(api::deliveries))
        .route("/api/v1/attempts", get(api::attempts))
        .fallback(api::not_found)
        .with_state(state)
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
