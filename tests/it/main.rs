//! Integration tests: webhookd on port 0, real HTTP receivers on loopback,
//! a fresh SQLite database per test.

mod common;

mod api;
mod architecture;
mod auth;
mod bench;
mod catalog;
mod check;
mod cluster;
mod delivery;
mod faults;
mod filter;
mod headers;
mod health;
mod hostile;
mod limits;
mod load;
mod log;
mod monitoring;
mod operational;
mod ordering;
mod process;
mod retry_schedule;
mod routing;
mod secrets;
mod signatures;
mod store_contract;
mod stream;
mod tls;
mod tracing;
