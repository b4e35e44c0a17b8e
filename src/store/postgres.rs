//! The PostgreSQL backend, for production and for several instances on one
//! database. Claims use `FOR UPDATE SKIP LOCKED` with leases, so instances
//! never attempt the same delivery at once; `LISTEN/NOTIFY` wakes idle
//! instances when another one dispatches.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgListener, PgPool, PgPoolOptions};
use sqlx::{Connection, Postgres, Transaction};
use tokio::sync::Notify;
use tracing::{debug, warn};

use super::batch::{BatchBackend, BatchWriter, WriteBatch, impl_write_batch};
use super::log::impl_event_log;
use super::rows::ClaimedRow;
use super::{
    AttemptResult, ClaimOutcome, DispatchOutcome, EndpointRoom, Event, Lease, RecordOutcome,
    Routing, Store, StoreError,
};
use crate::config::DatabaseConfig;
use crate::domain::DeliveryId;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The NOTIFY channel that announces newly dispatched deliveries.
const WORK_CHANNEL: &str = "webhookd_work";

/// Pause before listening again after the notification connection failed.
const LISTEN_RETRY: Duration = Duration::from_secs(1);

/// Write transactions in flight at once: each batch waits on round trips
/// and its commit's WAL flush, so a few overlap well.
const PG_WRITERS: usize = 4;

type PgTx = Transaction<'static, Postgres>;

#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    /// Group-committed writes (dispatches and attempt results).
    batched: BatchWriter,
}

impl PgStore {
    pub async fn connect(config: &DatabaseConfig) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(&config.url)?.application_name("webhookd");
        let acquire_timeout = Duration::from_secs_f64(config.acquire_timeout_seconds);
        // One plain connection first: a pool retries until its timeout and
        // then reports only "pool timed out", hiding the cause (connection
        // refused, authentication failed, no such database).
        tokio::time::timeout(acquire_timeout, PgConnection::connect_with(&options))
            .await
            .map_err(|_| {
                StoreError::Unavailable(format!(
                    "no answer from the server within database.acquire_timeout_seconds ({}s)",
                    config.acquire_timeout_seconds
                ))
            })??
            .close()
            .await?;
        let pool = PgPoolOptions::new()
            .max_connections(config.max_connections)
            .acquire_timeout(acquire_timeout)
            .connect_with(options)
            .await?;
        let batched = BatchWriter::spawn(PgBatches(pool.clone()), PG_WRITERS);
        Ok(PgStore { pool, batched })
    }
}

impl PgStore {
    fn read_pool(&self) -> &PgPool {
        &self.pool
    }

    fn write_pool(&self) -> &PgPool {
        &self.pool
    }
}

impl_event_log!(PgStore, sqlx::Postgres);

/// Opens group-commit transactions.
struct PgBatches(PgPool);

#[async_trait]
impl BatchBackend for PgBatches {
    async fn begin(&self) -> Result<Box<dyn WriteBatch>, StoreError> {
        Ok(Box::new(PgBatch(self.0.begin().await?)))
    }
}

struct PgBatch(PgTx);

impl_write_batch!(PgBatch, sqlx::Postgres, {
    async fn announce_due_work(&mut self) -> Result<(), StoreError> {
        // Delivered to listeners when the transaction commits.
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(WORK_CHANNEL)
            .execute(&mut *self.0)
            .await?;
        Ok(())
    }
});

#[async_trait]
impl Store for PgStore {
    async fn migrate(&self) -> Result<(), StoreError> {
        // sqlx takes an advisory lock, so instances starting together
        // migrate one at a time.
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    fn write_failure(&self) -> Option<String> {
        self.batched.health().failure()
    }

    async fn probe_write(&self) -> Result<(), StoreError> {
        self.batched.probe().await
    }

    async fn dispatch(
        &self,
        event: Event,
        routing: Routing,
    ) -> Result<DispatchOutcome, StoreError> {
        self.batched.dispatch(event, routing).await
    }

    async fn claim_due(
        &self,
        lease: Lease<'_>,
        limit: usize,
        room: &EndpointRoom<'_>,
    ) -> Result<ClaimOutcome, StoreError> {
        // One statement: lock due rows no other instance holds, keep each
        // endpoint's earliest as many as it has room for, lease them, and
        // return them joined with their event and endpoint.
        let rows: Vec<ClaimedRow> = sqlx::query_as(
            "WITH candidates AS (
                 -- Deliveries of disabled endpoints are paused: not claimed.
                 SELECT d.id, d.endpoint_id, d.next_attempt_at, COALESCE(ep.max_concurrent, $8) AS cap
                 FROM deliveries d JOIN endpoints ep ON ep.id = d.endpoint_id
                 WHERE d.state = 'pending' AND d.next_attempt_at <= $4 AND ep.active
                   AND NOT (d.endpoint_id = ANY($6))
                 ORDER BY d.next_attempt_at
                 LIMIT $9
                 FOR UPDATE OF d SKIP LOCKED
             ), due AS (
                 SELECT id FROM (
                     SELECT c.id, c.next_attempt_at,
                            ROW_NUMBER() OVER (PARTITION BY c.endpoint_id ORDER BY c.next_attempt_at) AS rank,
                            COALESCE(f.value::bigint, c.cap * $10) AS room
                     FROM candidates c LEFT JOIN jsonb_each_text($7::jsonb) f ON f.key = c.endpoint_id
                 ) ranked
                 WHERE rank <= room
                 ORDER BY next_attempt_at
                 LIMIT $5
             ), claimed AS (
                 UPDATE deliveries d
                 SET state = 'in_flight', lease_owner = $1, lease_token = $2, leased_until = $3, updated_at = $4
                 FROM due WHERE d.id = due.id
                 RETURNING d.id, d.event_id, d.endpoint_id, d.attempt_count, d.cycle_start, d.next_attempt_at
             )
             SELECT c.id, c.event_id, c.endpoint_id, c.attempt_count, c.cycle_start,
                    e.event_type, e.payload, ep.url, ep.secret, ep.previous_secret, ep.previous_secret_expires_at, ep.max_concurrent, ep.signature_scheme
             FROM claimed c
             JOIN events e ON e.id = c.event_id
             JOIN endpoints ep ON ep.id = c.endpoint_id
             ORDER BY c.next_attempt_at",
        )
        .bind(lease.owner)
        .bind(lease.token)
        .bind(lease.until)
        .bind(lease.now)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind(room.excluded)
        .bind(room.room_json())
        .bind(i64::try_from(room.default_limit).unwrap_or(i64::MAX))
        .bind(EndpointRoom::scan(limit))
        .bind(i64::try_from(room.prefetch_factor).unwrap_or(1))
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Ok(ClaimOutcome::NothingDue);
        }
        let deliveries = rows
            .into_iter()
            .map(|row| row.into_claimed(lease.token))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ClaimOutcome::Claimed(deliveries))
    }

    async fn record_attempt(&self, result: AttemptResult) -> Result<RecordOutcome, StoreError> {
        self.batched.record_attempt(result).await
    }

    async fn release_delivery(
        &self,
        id: &DeliveryId,
        lease_token: &str,
        at: i64,
    ) -> Result<(), StoreError> {
        self.release_claimed(id, lease_token, at).await
    }

    async fn reclaim_expired_leases(&self, now: i64) -> Result<u64, StoreError> {
        self.reclaim_expired(now).await
    }

    async fn release_leases(&self, owner: &str) -> Result<u64, StoreError> {
        self.release_owned(owner).await
    }

    async fn recover_at_start(&self) -> Result<u64, StoreError> {
        // Other instances may hold live leases: expired ones are reclaimed
        // by the scheduler of whichever instance sees them first.
        Ok(0)
    }

    async fn next_wakeup_at(&self, excluded: &[String]) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT LEAST(
                 (SELECT MIN(d.next_attempt_at) FROM deliveries d JOIN endpoints ep ON ep.id = d.endpoint_id
                  WHERE d.state = 'pending' AND ep.active AND NOT (d.endpoint_id = ANY($1))),
                 (SELECT MIN(leased_until) FROM deliveries WHERE state = 'in_flight'))",
        )
        .bind(excluded)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn watch_remote_work(&self, wake: Arc<Notify>) {
        loop {
            match PgListener::connect_with(&self.pool).await {
                Ok(mut listener) => {
                    if let Err(e) = listener.listen(WORK_CHANNEL).await {
                        warn!(error.message = %e, "failed to listen for work notifications");
                    } else {
                        loop {
                            match listener.recv().await {
                                Ok(_) => wake.notify_one(),
                                Err(e) => {
                                    // Notifications sent while disconnected
                                    // are lost: look for work anyway.
                                    debug!(error.message = %e, "work notification connection lost");
                                    wake.notify_one();
                                    break;
                                }
                            }
                        }
                    }
                }
                Err(e) => {
                    debug!(error.message = %e, "cannot connect to listen for work notifications")
                }
            }
            tokio::time::sleep(LISTEN_RETRY).await;
        }
    }
}
