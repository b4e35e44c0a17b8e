//! The SQLite backend, the embedded default.
//!
//! All writes go through a pool of exactly one connection, so writers queue
//! in-process instead of meeting `SQLITE_BUSY`; reads use a separate pool.
//! SQLite serves one webhookd instance: use PostgreSQL for several.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use secrecy::ExposeSecret;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Sqlite, Transaction};

use super::batch::{BatchBackend, BatchWriter, WriteBatch};
use super::rows::{AttemptRow, ClaimedRow, DeliveryRow, EventRow, RoutingRow};
use super::{
    AttemptRecord, ClaimOutcome, DeliveryRecord, DeliveryTransition, DispatchOutcome, EndpointSpec,
    Event, Lease, RecordOutcome, Routing, Store, StoreError, now_millis,
};
use crate::config::{self, DatabaseConfig};
use crate::domain::{DeliveryId, DeliveryState, EventId};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

/// How long a connection waits on a lock held by another process (such as
/// `sqlite3` opened by an operator) before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

type SqliteTx = Transaction<'static, Sqlite>;

#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// Exactly one connection: every write is serialised here.
    writer: SqlitePool,
    reader: SqlitePool,
    /// Group-committed writes (dispatches and attempt results).
    batched: BatchWriter,
}

impl SqliteStore {
    pub async fn connect(config: &DatabaseConfig) -> Result<Self, StoreError> {
        let synchronous = match config.sqlite_synchronous {
            config::SqliteSynchronous::Normal => SqliteSynchronous::Normal,
            config::SqliteSynchronous::Full => SqliteSynchronous::Full,
        };
        let options = SqliteConnectOptions::from_str(&config.url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let acquire_timeout = Duration::from_secs_f64(config.acquire_timeout_seconds);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(acquire_timeout)
            .connect_with(options.clone())
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(config.max_connections)
            .acquire_timeout(acquire_timeout)
            .connect_with(options)
            .await?;
        let batched = BatchWriter::spawn(SqliteBatches(writer.clone()), 1);
        Ok(SqliteStore {
            writer,
            reader,
            batched,
        })
    }
}

/// Opens group-commit transactions on the writer connection.
struct SqliteBatches(SqlitePool);

#[async_trait]
impl BatchBackend for SqliteBatches {
    async fn begin(&self) -> Result<Box<dyn WriteBatch>, StoreError> {
        Ok(Box::new(SqliteBatch(self.0.begin().await?)))
    }
}

struct SqliteBatch(SqliteTx);

#[async_trait]
impl WriteBatch for SqliteBatch {
    async fn load_endpoints(&mut self) -> Result<Vec<RoutingRow>, StoreError> {
        Ok(
            sqlx::query_as("SELECT id, event_patterns, active FROM endpoints ORDER BY id")
                .fetch_all(&mut *self.0)
                .await?,
        )
    }

    async fn insert_event(&mut self, event: &Event) -> Result<bool, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO events (id, event_type, payload, idempotency_key, created_at)
             VALUES (?, ?, ?, ?, ?)
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
            sqlx::query_scalar("SELECT id FROM events WHERE idempotency_key = ?")
                .bind(key)
                .fetch_one(&mut *self.0)
                .await?;
        let delivery_ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM deliveries WHERE event_id = ? AND replay_of IS NULL ORDER BY id",
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
        let mut insert = QueryBuilder::<Sqlite>::new(
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
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
             SET state = ?1, attempt_count = ?2, next_attempt_at = COALESCE(?3, next_attempt_at),
                 last_error = ?4, lease_owner = NULL, lease_token = NULL, leased_until = NULL,
                 updated_at = ?5
             WHERE id = ?6 AND lease_token = ?7",
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

    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        Ok(self.0.commit().await?)
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.writer).await?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    async fn sync_config_endpoints(&self, endpoints: &[EndpointSpec]) -> Result<(), StoreError> {
        let now = now_millis();
        let mut tx = self.writer.begin().await?;
        for endpoint in endpoints {
            sqlx::query(
                "INSERT INTO endpoints (id, url, event_patterns, secret, active, origin, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'config', ?6, ?6)
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
        sqlx::query(
            "UPDATE endpoints
             SET active = 0, disabled_reason = 'removed from the config file', disabled_at = ?1, updated_at = ?1
             WHERE origin = 'config' AND active = 1 AND id NOT IN (SELECT value FROM json_each(?2))",
        )
        .bind(now)
        .bind(EndpointSpec::ids_json(endpoints))
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
        let mut tx = self.writer.begin().await?;
        let claimed = sqlx::query(
            "UPDATE deliveries
             SET state = 'in_flight', lease_owner = ?1, lease_token = ?2, leased_until = ?3, updated_at = ?4
             WHERE id IN (
                 SELECT id FROM deliveries
                 WHERE state = 'pending' AND next_attempt_at <= ?4
                 ORDER BY next_attempt_at
                 LIMIT ?5
             )",
        )
        .bind(lease.owner)
        .bind(lease.token)
        .bind(lease.until)
        .bind(lease.now)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(ClaimOutcome::NothingDue);
        }
        let rows: Vec<ClaimedRow> = sqlx::query_as(
            "SELECT d.id, d.event_id, d.endpoint_id, d.attempt_count,
                    e.event_type, e.payload, ep.url, ep.secret
             FROM deliveries d
             JOIN events e ON e.id = d.event_id
             JOIN endpoints ep ON ep.id = d.endpoint_id
             WHERE d.lease_token = ?
             ORDER BY d.next_attempt_at",
        )
        .bind(lease.token)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
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
             SET state = 'pending', lease_owner = NULL, lease_token = NULL, leased_until = NULL, updated_at = ?1
             WHERE state = 'in_flight' AND leased_until <= ?1",
        )
        .bind(now)
        .execute(&self.writer)
        .await?;
        Ok(result.rows_affected())
    }

    async fn release_leases(&self, owner: &str) -> Result<u64, StoreError> {
        let result = sqlx::query(
            "UPDATE deliveries
             SET state = 'pending', lease_owner = NULL, lease_token = NULL, leased_until = NULL, updated_at = ?1
             WHERE state = 'in_flight' AND lease_owner = ?2",
        )
        .bind(now_millis())
        .bind(owner)
        .execute(&self.writer)
        .await?;
        Ok(result.rows_affected())
    }

    async fn recover_at_start(&self) -> Result<u64, StoreError> {
        let result = sqlx::query(
            "UPDATE deliveries
             SET state = 'pending', lease_owner = NULL, lease_token = NULL, leased_until = NULL, updated_at = ?1
             WHERE state = 'in_flight'",
        )
        .bind(now_millis())
        .execute(&self.writer)
        .await?;
        Ok(result.rows_affected())
    }

    async fn next_wakeup_at(&self) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT MIN(at) FROM (
                 SELECT MIN(next_attempt_at) AS at FROM deliveries WHERE state = 'pending'
                 UNION ALL
                 SELECT MIN(leased_until) AS at FROM deliveries WHERE state = 'in_flight'
             )",
        )
        .fetch_one(&self.reader)
        .await?)
    }

    async fn get_event(&self, id: &EventId) -> Result<Option<Event>, StoreError> {
        let row: Option<EventRow> = sqlx::query_as(
            "SELECT id, event_type, payload, idempotency_key, created_at FROM events WHERE id = ?",
        )
        .bind(id.as_str())
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.map(Event::from))
    }

    async fn deliveries_for_event(&self, id: &EventId) -> Result<Vec<DeliveryRecord>, StoreError> {
        let rows: Vec<DeliveryRow> = sqlx::query_as(
            "SELECT id, event_id, endpoint_id, state, attempt_count, next_attempt_at, last_error, created_at
             FROM deliveries WHERE event_id = ? ORDER BY id",
        )
        .bind(id.as_str())
        .fetch_all(&self.reader)
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
             FROM attempts WHERE delivery_id = ? ORDER BY id",
        )
        .bind(id.as_str())
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter().map(AttemptRecord::try_from).collect()
    }
}
