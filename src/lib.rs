//! webhookd: reliable webhook delivery.
//!
//! `Dispatch` stores an event durably, the scheduler fans it out to the
//! subscribed endpoints as signed HTTP POSTs, retries failures with
//! exponential backoff and jitter, and dead-letters what never succeeds.
//!
//! # Layout
//! - [`config`]: typed configuration, layered and validated at load.
//! - [`domain`]: ids, event types and patterns, canonical payloads.
//! - [`signing`]: the signature scheme, for senders and receivers.
//! - [`store`]: the durable store (`Store` trait, SQLite backend).
//! - [`delivery`]: scheduler, workers, retry policy, outbound HTTP client.
//! - [`api`]: the gRPC service and the generated protobuf types and client.
//! - [`health`]: circuit breakers and per-endpoint concurrency; [`alert`]:
//!   email alerts when endpoints are disabled or recover.
//! - [`http`]: health probes, the JSON API, Prometheus and the dashboard.
//! - [`listener`]: connection caps, timeouts and eviction for both listeners.
//! - [`metrics`]: delivery metrics from the attempts table; Prometheus counters.
//! - [`updates`]: the live feed of state changes behind StreamDeliveries.
//! - [`app`]: wires the parts together; tests start it on port 0.

#![forbid(unsafe_code)]

pub mod api;
pub mod app;
pub mod clock;
pub mod config;
pub mod delivery;
pub mod domain;
pub mod error;
pub mod http;
pub mod limits;
pub mod listener;
pub mod service;
pub mod signing;
pub mod store;
pub mod telemetry;
pub mod tls;

pub use app::App;
pub use config::Config;
