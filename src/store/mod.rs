//! Durable storage: one trait per aggregate, one generic implementation
//! over both backends.
//!
//! - [`EventLog`]: dispatching events, reading the log, replay, redrive,
//!   retention.
//! - [`DeliveryQueue`]: claiming due deliveries under a lease, recording
//!   attempts, releasing and reclaiming leases.
//! - [`EndpointStore`], [`ApiKeyStore`]: the configuration kept in the
//!   database.
//! - [`MetricsStore`]: the figures metrics and the dashboard read.
//! - [`StoreHealth`]: migrations and whether the database answers and
//!   commits.
//!
//! Every backend keeps the same promises: a dispatch commits the event and
//! its deliveries in one transaction; events and attempts are append-only;
//! claims are leases that fence late results. [`SqlStore`] implements all
//! of it once; `sqlite.rs` and `postgres.rs` add only what their dialects
//! do differently.

mod api_keys;
mod backend;
mod batch;
mod batch_connection;
mod endpoints;
mod error;
mod events;
mod lock;
mod metrics;
pub mod model;
mod postgres;
mod queue;
mod routing;
mod rows;
mod sql;
mod sqlite;
mod sqlite_writer;

pub use api_keys::ApiKeyStore;
pub use backend::SqlStore;
pub use batch::WriteHealth;
pub use endpoints::EndpointStore;
pub use error::StoreError;
pub use events::EventLog;
pub use lock::{DatabaseLock, LockError, lock_database, sqlite_file};
pub use metrics::MetricsStore;
pub use model::*;
pub use postgres::PgStore;
pub use queue::DeliveryQueue;
pub use sqlite::SqliteStore;

use std::sync::Arc;

use async_trait::async_trait;

use crate::config::DatabaseConfig;

/// Migrations and the database's own health.
#[async_trait]
pub trait StoreHealth: Send + Sync {
    /// Applies pending migrations.
    async fn migrate(&self) -> Result<(), StoreError>;

    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Why writes fail right now (the last write batch failed, or the
    /// database was lost); `None` while they commit.
    fn write_failure(&self) -> Option<String>;

    /// Commits a probe write, about the size of a small batch, through the
    /// same writers as dispatches; `Ok` once writes commit again.
    async fn probe_write(&self) -> Result<(), StoreError>;

    /// Refreshes the query planner's statistics of tables that grew well
    /// past what they describe (a backlog that filled in seconds); returns
    /// the tables refreshed.
    async fn refresh_statistics(&self) -> Result<Vec<&'static str>, StoreError>;

    /// Copies the write-ahead log into the database file beside the
    /// writer, so that commits do not stop to do it; returns how many
    /// frames (pages) the log held. Backends without such a log
    /// (PostgreSQL checkpoints by itself) return 0.
    async fn checkpoint_log(&self) -> Result<u64, StoreError>;

    /// Checks that the database is still the one opened at start. SQLite:
    /// the file was not deleted or replaced underneath the process; if it
    /// was, new events are refused from then on, since they would be
    /// acknowledged into a file that no restart can find.
    fn check_database_file(&self) -> Result<(), StoreError>;
}

/// Everything the rest of webhookd needs of a store.
pub trait Store:
    EventLog + DeliveryQueue + EndpointStore + ApiKeyStore + MetricsStore + StoreHealth + 'static
{
}

impl<T> Store for T where
    T: EventLog
        + DeliveryQueue
        + EndpointStore
        + ApiKeyStore
        + MetricsStore
        + StoreHealth
        + 'static
{
}

/// Opens the store named by `config.url`.
pub async fn connect(config: &DatabaseConfig) -> Result<Arc<dyn Store>, StoreError> {
    if config.is_sqlite() {
        Ok(Arc::new(SqliteStore::connect(config).await?))
    } else {
        Ok(Arc::new(PgStore::connect(config).await?))
    }
}

/// The URL without its password, for messages.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => raw.to_owned(),
    }
}
