//! webhookd: reliable webhook delivery.
//!
//! `Dispatch` stores an event durably, the scheduler fans it out to the
//! subscribed endpoints as signed HTTP POSTs, retries failures with
//! exponential backoff and jitter, and dead-letters what never succeeds.
//!
//! # Layout
//! Layers, top to bottom; a module uses only those below it (checked by
//! `tests/it/architecture.rs`, drawn in docs/overview.md):
//! - [`app`]: builds and runs everything; the servers and background tasks.
//! - [`api`] (gRPC), [`http`] (probes, JSON API, Prometheus, dashboard),
//!   [`listener`] (connection caps and timeouts), [`tls`], [`telemetry`],
//!   [`check`] (`webhookd check-receiver`).
//! - [`service`]: transport-free operations that commit, wake the
//!   scheduler, publish updates and count.
//! - [`delivery`]: scheduler, workers, retry policy, outbound HTTP client,
//!   endpoint gates, alerts, the update bus; [`error`]: API errors.
//! - [`store`]: a trait per aggregate, one SQL implementation for SQLite
//!   and PostgreSQL.
//! - [`config`]: the typed configuration, layered and checked at load.
//! - [`domain`]: entities, ids, endpoint rules, the outbound network policy.
//! - [`clock`], [`limits`], [`signing`]: leaves.

#![forbid(unsafe_code)]

pub mod api;
pub mod app;
pub mod check;
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
