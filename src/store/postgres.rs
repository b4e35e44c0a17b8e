//! The PostgreSQL backend, for production and for several instances on one
//! database. Claims use `FOR UPDATE SKIP LOCKED` with leases, so instances
//! never attempt the same delivery at once; `LISTEN/NOTIFY` wakes idle
//! instances when another one dispatches.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use secrecy::ExposeSecret;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions};
use sqlx::{Postgres, QueryBuilder, Transaction};
use tokio::sync::Notify;
use tracing::{debug, warn};

use super::batch::{BatchBackend, BatchWriter, WriteBatch};
use super::rows::{AttemptRow, ClaimedRow, DeliveryRow, EventRow, RoutingRow};
use super::{
    AttemptRecord, ClaimOutcome, DeliveryRecord, DeliveryTransition, DispatchOutcome, EndpointSpec,
    Event, Lease, RecordOutcome, Routing, Store, StoreError, now_millis,
};
use crate::config::DatabaseConfig;
use crate::domain::{DeliveryId, DeliveryState, EventId};

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
        let pool = PgPoolOptions::new()
            .max_connections(config.max_connections)
            .acquire_timeout(Duration::from_secs_f64(config.acquire_timeout_seconds))
            .connect_with(options)
            .await?;
        let batched = BatchWriter::spawn(PgBatches(pool.clone()), PG_WRITERS);
        Ok(PgStore { pool, batched })
    }
}

/// Opens group-commit transactions.
struct PgBatches(PgPool);

#[async_trait]
impl BatchBackend for PgBatches {
    async fn begin(&self) -> Result<Box<dyn WriteBatch>, StoreError> {
        Ok(Box::new(PgBatch(self.0.begin().await?)))
    }
}

struct PgBatch(PgTx);

#[async_trait]
impl WriteBatch for PgBatch {
    async fn load_endpoints(&mut self) -> Result<Vec<RoutingRow>, StoreError> {
        Ok(
            sqlx::query_as("SELECT id, event_patterns, active FROM endpoints ORDER BY id")
                .fetch_all(&mut *self.0)
                .await?,
        )
    }

    async fn insert_event(&mut self, event: &Event) -> Result<bool, StoreError> {
        // A concurrent insert of the same key by another instance makes this
        // wait for that transaction, then do nothing if it committed.
        let inserted = sqlx::query(
            "INSERT INTO events (id, event_type, payload, idempotency_key, created_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (idempotency_key) DO NOTHING",
        )
        .bind(event.id.as_str())
        .bind(event.event_type.as_str())
        .bind(event.payload.as_bytes())
        .bind(event.idempotency_key.as_deref())
        .bind(event.created_at)
        .execute(&mut *self.0)
        .await?;
        Ok(inserted.rows_affected() == 1)
    }

    async fn existing_dispatch(&mut self, key: &str) -> Result<DispatchOutcome, StoreError> {
        let event_id: String =
            sqlx::query_scalar("SELECT id FROM events WHERE idempotency_key = $1")
                .bind(key)
                .fetch_one(&mut *self.0)
                .await?;
        let delivery_ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM deliveries WHERE event_id = $1 AND replay_of IS NULL ORDER BY id",
        )
        .bind(&event_id)
        .fetch_all(&mut *self.0)
        .await?;
        Ok(DispatchOutcome::Duplicate {
            event_id: EventId::from_stored(event_id),
            delivery_ids: delivery_ids
                .into_iter()
                .map(DeliveryId::from_stored)
                .collect(),
        })
    }

    async fn insert_deliveries(
        &mut self,
        event: &Event,
        deliveries: &[(DeliveryId, &str)],
    ) -> Result<(), StoreError> {
        let mut insert = QueryBuilder::<Postgres>::new(
            "INSERT INTO deliveries (id, event_id, endpoint_id, state, next_attempt_at, created_at, updated_at) ",
        );
        insert.push_values(deliveries, |mut row, (delivery_id, endpoint_id)| {
            row.push_bind(delivery_id.as_str())
                .push_bind(event.id.as_str())
                .push_bind(*endpoint_id)
                .push_bind(DeliveryState::Pending.as_str())
                .push_bind(event.created_at)
                .push_bind(event.created_at)
                .push_bind(event.created_at);
        });
        insert.build().execute(&mut *self.0).await?;
        Ok(())
    }

    async fn record_attempt(
        &mut self,
        lease_token: &str,
        attempt: &AttemptRecord,
        transition: DeliveryTransition,
        now: i64,
    ) -> Result<RecordOutcome, StoreError> {
        sqlx::query(
            "INSERT INTO attempts (delivery_id, attempt_number, started_at, duration_ms, http_status,
                                   error_kind, error_message, response_excerpt, instance_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(attempt.delivery_id.as_str())
        .bind(i64::from(attempt.attempt_number))
        .bind(attempt.started_at)
        .bind(attempt.duration_ms)
        .bind(attempt.http_status.map(i64::from))
        .bind(attempt.error_kind.map(|kind| kind.as_str()))
        .bind(attempt.error_message.as_deref())
        .bind(attempt.response_excerpt.as_deref())
        .bind(attempt.instance_id.as_deref())
        .execute(&mut *self.0)
        .await?;
        let updated = sqlx::query(
            "UPDATE deliveries
             SET state = $1, attempt_count = $2, next_attempt_at = COALESCE($3, next_attempt_at),
                 last_error = $4, lease_owner = NULL, lease_token = NULL, leased_until = NULL,
                 updated_at = $5
             WHERE id = $6 AND lease_token = $7",
        )
        .bind(transition.state().as_str())
        .bind(i64::from(attempt.attempt_number))
        .bind(transition.retry_at())
        .bind(attempt.error_message.as_deref())
        .bind(now)
        .bind(attempt.delivery_id.as_str())
        .bind(lease_token)
        .execute(&mut *self.0)
        .await?;
        Ok(RecordOutcome::from_rows_updated(updated.rows_affected()))
    }

    async fn announce_due_work(&mut self) -> Result<(), StoreError> {
        // Delivered to listeners when the transaction commits.
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(WORK_CHANNEL)
            .execute(&mut *self.0)
            .await?;
        Ok(())
    }

    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        Ok(self.0.commit().await?)
    }
}

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

    async fn sync_config_endpoints(&self, endpoints: &[EndpointSpec]) -> Result<(), StoreError> {
        let now = now_millis();
        let mut tx = self.pool.begin().await?;
        for endpoint in endpoints {
            sqlx::query(
                "INSERT INTO endpoints (id, url, event_patterns, secret, active, origin, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, 'config', $6, $6)
                 ON CONFLICT (id) DO UPDATE SET
                     url = excluded.url,
                     event_patterns = excluded.event_patterns,
                     secret = excluded.secret,
                     active = excluded.active,
                     disabled_reason = NULL,
                     disabled_at = NULL,
                     origin = 'config',
                     updated_at = excluded.updated_at",
            )
            .bind(endpoint.id.as_str())
            .bind(&endpoint.url)
            .bind(endpoint.patterns_json())
            .bind(endpoint.secret.as_ref().map(|s| s.expose_secret().to_owned()))
            .bind(endpoint.active)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let ids: Vec<&str> = endpoints.iter().map(|e| e.id.as_str()).collect();
        sqlx::query(
            "UPDATE endpoints
             SET active = FALSE, disabled_reason = 'removed from the config file', disabled_at = $1, updated_at = $1
             WHERE origin = 'config' AND active AND NOT (id = ANY($2))",
        )
        .bind(now)
        .bind(&ids)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn dispatch(
        &self,
        event: Event,
        routing: Routing,
    ) -> Result<DispatchOutcome, StoreError> {
        self.batched.dispatch(event, routing).await
    }

    async fn claim_due(&self, lease: Lease<'_>, limit: usize) -> Result<ClaimOutcome, StoreError> {
        // One statement: lock due rows no other instance holds, lease them,
        // and return them joined with their event and endpoint.
        let rows: Vec<ClaimedRow> = sqlx::query_as(
            "WITH due AS (
                 SELECT id FROM deliveries
                 WHERE state = 'pending' AND next_attempt_at <= $4
                 ORDER BY next_attempt_at
                 LIMIT $5
                 FOR UPDATE SKIP LOCKED
             ), claimed AS (
                 UPDATE deliveries d
                 SET state = 'in_flight', lease_owner = $1, lease_token = $2, leased_until = $3, updated_at = $4
                 FROM due WHERE d.id = due.id
                 RETURNING d.id, d.event_id, d.endpoint_id, d.attempt_count, d.next_attempt_at
             )
             SELECT c.id, c.event_id, c.endpoint_id, c.attempt_count,
                    e.event_type, e.payload, ep.url, ep.secret
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

    async fn record_attempt(
        &self,
        lease_token: &str,
        attempt: &AttemptRecord,
        transition: DeliveryTransition,
    ) -> Result<RecordOutcome, StoreError> {
        self.batched
            .record_attempt(lease_token, attempt, transition)
            .await
    }

    async fn reclaim_expired_leases(&self, now: i64) -> Result<u64, StoreError> {
        let result = sqlx::query(
            "UPDATE deliveries
             SET state = 'pending', lease_owner = NULL, lease_token = NULL, leased_until = NULL, updated_at = $1
             WHERE state = 'in_flight' AND leased_until <= $1",
        )
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected())
    }

    async fn release_leases(&self, owner: &str) -> Result<u64, StoreError> {
        let result = sqlx::query(
            "UPDATE deliveries
             SET state = 'pending', lease_owner = NULL, lease_token = NULL, leased_until = NULL, updated_at = $1
             WHERE state = 'in_flight' AND lease_owner = $2",
        )
        .bind(now_millis())
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected())
    }

    async fn recover_at_start(&self) -> Result<u64, StoreError> {
        // Other instances may hold live leases: expired ones are reclaimed
        // by the scheduler of whichever instance sees them first.
        Ok(0)
    }

    async fn next_wakeup_at(&self) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT LEAST(
                 (SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending'),
                 (SELECT MIN(leased_until) FROM deliveries WHERE state = 'in_flight'))",
        )
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

    async fn get_event(&self, id: &EventId) -> Result<Option<Event>, StoreError> {
        let row: Option<EventRow> = sqlx::query_as(
            "SELECT id, event_type, payload, idempotency_key, created_at FROM events WHERE id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(Event::from))
    }

    async fn deliveries_for_event(&self, id: &EventId) -> Result<Vec<DeliveryRecord>, StoreError> {
        let rows: Vec<DeliveryRow> = sqlx::query_as(
            "SELECT id, event_id, endpoint_id, state, attempt_count, next_attempt_at, last_error, created_at
             FROM deliveries WHERE event_id = $1 ORDER BY id",
        )
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(DeliveryRecord::try_from).collect()
    }

    async fn attempts_for_delivery(
        &self,
        id: &DeliveryId,
    ) -> Result<Vec<AttemptRecord>, StoreError> {
        let rows: Vec<AttemptRow> = sqlx::query_as(
            "SELECT delivery_id, attempt_number, started_at, duration_ms, http_status, error_kind,
                    error_message, response_excerpt, instance_id
             FROM attempts WHERE delivery_id = $1 ORDER BY id",
        )
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(AttemptRecord::try_from).collect()
    }
}
