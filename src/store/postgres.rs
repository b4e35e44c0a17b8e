//! The PostgreSQL backend, for production and for several instances on one
//! database. Claims use `FOR UPDATE SKIP LOCKED` with leases, so instances
//! never attempt the same delivery at once; `LISTEN/NOTIFY` wakes idle
//! instances when another one dispatches.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgListener, PgPoolOptions};
use sqlx::{Connection, Pool, Postgres};
use tokio::sync::Notify;
use tracing::{debug, warn};

use super::StoreError;
use super::backend::{Backend, SqlStore};
use super::batch::BatchWriter;
use super::model::{EndpointRoom, Lease};
use super::rows::ClaimedRow;
use crate::config::DatabaseConfig;
use crate::domain::HELD_FOR_ORDERING;

static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

const CLAIM: &str = include_str!("queries/postgres/claim.sql");
const NEXT_WAKEUP: &str = include_str!("queries/postgres/next_wakeup.sql");
const NOTIFY: &str = include_str!("queries/postgres/notify.sql");
const RELEASE_ORDERED_HEAD: &str = include_str!("queries/postgres/release_ordered_head.sql");
const RELEASE_STUCK_ORDERED: &str = include_str!("queries/postgres/release_stuck_ordered.sql");

/// The NOTIFY channel that announces newly dispatched deliveries.
const WORK_CHANNEL: &str = "webhookd_work";

/// Pause before listening again after the notification connection failed.
const LISTEN_RETRY: Duration = Duration::from_secs(1);

/// Write transactions in flight at once: each batch waits on round trips
/// and its commit's WAL flush, so a few overlap well.
const PG_WRITERS: usize = 4;

pub type PgStore = SqlStore<Postgres>;

impl SqlStore<Postgres> {
    pub async fn connect(config: &DatabaseConfig) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(&config.url)
            .map_err(|e| StoreError::Unavailable(e.to_string()))?
            .application_name("webhookd");
        let acquire_timeout = config.acquire_timeout;
        // One plain connection first: a pool retries until its timeout and
        // then reports only "pool timed out", hiding the cause (connection
        // refused, authentication failed, no such database).
        tokio::time::timeout(acquire_timeout, PgConnection::connect_with(&options))
            .await
            .map_err(|_| {
                StoreError::Unavailable(format!(
                    "no answer from the server within database.acquire_timeout_seconds ({}s)",
                    config.acquire_timeout.as_secs_f64()
                ))
            })??
            .close()
            .await?;
        let pool = PgPoolOptions::new()
            .max_connections(config.max_connections)
            .acquire_timeout(acquire_timeout)
            .connect_with(options)
            .await?;
        let batched = BatchWriter::spawn(pool.clone(), PG_WRITERS);
        Ok(SqlStore {
            read: pool.clone(),
            write: pool,
            batched,
            file: None,
            secrets: Default::default(),
        })
    }
}

impl Backend for Postgres {
    async fn migrate(pool: &Pool<Postgres>) -> Result<(), StoreError> {
        // sqlx takes an advisory lock, so instances starting together
        // migrate one at a time.
        Ok(MIGRATOR.run(pool).await?)
    }

    async fn claim_due(
        pool: &Pool<Postgres>,
        lease: &Lease<'_>,
        limit: usize,
        room: &EndpointRoom<'_>,
    ) -> Result<Vec<ClaimedRow>, StoreError> {
        let room_json = room.room_json();
        let default_limit = i64::try_from(room.default_limit).unwrap_or(i64::MAX);
        let prefetch = i64::try_from(room.prefetch_factor).unwrap_or(1);
        Ok(sqlx::query_as(CLAIM)
            .bind(lease.owner)
            .bind(lease.token)
            .bind(lease.until)
            .bind(lease.now)
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .bind(room.excluded)
            .bind(room_json)
            .bind(default_limit)
            .bind(EndpointRoom::rows_per_endpoint(limit))
            .bind(prefetch)
            .fetch_all(pool)
            .await?)
    }

    async fn next_wakeup_at(
        pool: &Pool<Postgres>,
        excluded: &[String],
    ) -> Result<Option<i64>, StoreError> {
        let excluded = excluded.to_vec();
        Ok(sqlx::query_scalar(NEXT_WAKEUP)
            .bind(excluded)
            .fetch_one(pool)
            .await?)
    }

    async fn recover_at_start(_pool: &Pool<Postgres>) -> Result<u64, StoreError> {
        // Other instances may hold live leases: expired ones are reclaimed
        // by the scheduler of whichever instance sees them first.
        Ok(0)
    }

    async fn announce_due_work(conn: &mut PgConnection) -> Result<(), StoreError> {
        sqlx::query(NOTIFY)
            .bind(WORK_CHANNEL)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    async fn lock_ordering_keys(conn: &mut PgConnection, keys: &[&str]) -> Result<(), StoreError> {
        // Sorted by the caller, so concurrent batches take them in one
        // order; held to the end of the transaction.
        for key in keys {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(*key)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    async fn release_ordered_head(
        conn: &mut PgConnection,
        endpoint: &str,
        key: &str,
        now: i64,
    ) -> Result<u64, StoreError> {
        Ok(sqlx::query(RELEASE_ORDERED_HEAD)
            .bind(endpoint)
            .bind(key)
            .bind(now)
            .bind(HELD_FOR_ORDERING)
            .execute(&mut *conn)
            .await?
            .rows_affected())
    }

    async fn release_stuck_ordered(conn: &mut PgConnection, now: i64) -> Result<u64, StoreError> {
        Ok(sqlx::query(RELEASE_STUCK_ORDERED)
            .bind(now)
            .bind(HELD_FOR_ORDERING)
            .execute(&mut *conn)
            .await?
            .rows_affected())
    }

    async fn watch_remote_work(pool: Pool<Postgres>, wake: Arc<Notify>) -> () {
        loop {
            listen_for_work(&pool, &wake).await;
            tokio::time::sleep(LISTEN_RETRY).await;
        }
    }
}

/// Wakes `wake` on every notification until the listening connection
/// fails.
async fn listen_for_work(pool: &Pool<Postgres>, wake: &Notify) {
    let mut listener = match PgListener::connect_with(pool).await {
        Ok(listener) => listener,
        Err(e) => {
            debug!(error.message = %e, "cannot connect to listen for work notifications");
            return;
        }
    };
    if let Err(e) = listener.listen(WORK_CHANNEL).await {
        warn!(error.message = %e, "failed to listen for work notifications");
        return;
    }
    loop {
        match listener.recv().await {
            Ok(_) => wake.notify_one(),
            Err(e) => {
                // Notifications sent while disconnected are lost: look for
                // work anyway.
                debug!(error.message = %e, "work notification connection lost");
                wake.notify_one();
                return;
            }
        }
    }
}
