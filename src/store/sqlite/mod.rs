//! The SQLite backend, the embedded default.
//!
//! All writes go through a pool of exactly one connection, so writers queue
//! in-process instead of meeting `SQLITE_BUSY`; reads use a separate pool.
//! SQLite serves one webhookd instance: use PostgreSQL for several.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Row, Sqlite, Transaction};

use super::{
    AttemptRecord, ClaimOutcome, ClaimedDelivery, DeliveryRecord, DeliveryTransition,
    DispatchOutcome, EndpointSpec, EventRecord, Lease, NewEvent, RecordOutcome, Routing, Store,
    StoreError, now_millis,
};
use crate::config::{self, DatabaseConfig};
use crate::domain::{CanonicalPayload, DeliveryId, EndpointId, EventId, EventType};

mod writer;

use tokio::sync::{mpsc, oneshot};
use writer::WriteOp;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

/// How long a connection waits on a lock held by another process (such as
/// `sqlite3` opened by an operator) before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub(super) type SqliteTx = Transaction<'static, Sqlite>;

#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// Exactly one connection: every write is serialised here.
    writer: SqlitePool,
    reader: SqlitePool,
    /// Group-committed writes (dispatches and attempt results).
    batched_writes: mpsc::Sender<WriteOp>,
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
        let batched_writes = writer::spawn(writer.clone());
        Ok(SqliteStore {
            writer,
            reader,
            batched_writes,
        })
    }
}

impl SqliteStore {
    async fn submit(&self, op: WriteOp) -> Result<(), StoreError> {
        self.batched_writes
            .send(op)
            .await
            .map_err(|_| writer_gone())
    }
}

fn writer_gone() -> StoreError {
    StoreError::Unavailable("the database writer has stopped".to_owned())
}

pub(super) fn parse_patterns(endpoint_id: &str, raw: String) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(&raw).map_err(|e| {
        StoreError::Corrupt(format!(
            "endpoint `{endpoint_id}` has unreadable event patterns: {e}"
        ))
    })
}

fn delivery_from_row(row: &SqliteRow) -> Result<DeliveryRecord, StoreError> {
    let state: String = row.try_get("state")?;
    Ok(DeliveryRecord {
        id: DeliveryId::from_stored(row.try_get("id")?),
        event_id: EventId::from_stored(row.try_get("event_id")?),
        endpoint_id: EndpointId::from_stored(row.try_get("endpoint_id")?),
        state: state.parse().map_err(StoreError::Corrupt)?,
        attempt_count: row.try_get::<i64, _>("attempt_count")? as u32,
        next_attempt_at: row.try_get("next_attempt_at")?,
        last_error: row.try_get("last_error")?,
        created_at: row.try_get("created_at")?,
    })
}

fn attempt_from_row(row: &SqliteRow) -> Result<AttemptRecord, StoreError> {
    let error_kind: Option<String> = row.try_get("error_kind")?;
    Ok(AttemptRecord {
        delivery_id: DeliveryId::from_stored(row.try_get("delivery_id")?),
        attempt_number: row.try_get::<i64, _>("attempt_number")? as u32,
        started_at: row.try_get("started_at")?,
        duration_ms: row.try_get("duration_ms")?,
        http_status: row
            .try_get::<Option<i64>, _>("http_status")?
            .map(|status| status as u16),
        error_kind: error_kind
            .map(|kind| kind.parse())
            .transpose()
            .map_err(StoreError::Corrupt)?,
        error_message: row.try_get("error_message")?,
        response_excerpt: row.try_get("response_excerpt")?,
    })
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
            let patterns = serde_json::to_string(&endpoint.event_patterns)
                .expect("a list of strings always serialises");
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
            .bind(patterns)
            .bind(endpoint.secret.as_ref().map(|s| s.expose_secret().to_owned()))
            .bind(endpoint.active)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let ids =
            serde_json::to_string(&endpoints.iter().map(|e| e.id.as_str()).collect::<Vec<_>>())
                .expect("a list of strings always serialises");
        sqlx::query(
            "UPDATE endpoints
             SET active = 0, disabled_reason = 'removed from the config file', disabled_at = ?1, updated_at = ?1
             WHERE origin = 'config' AND active = 1 AND id NOT IN (SELECT value FROM json_each(?2))",
        )
        .bind(now)
        .bind(ids)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn dispatch(
        &self,
        event: NewEvent,
        routing: Routing,
    ) -> Result<DispatchOutcome, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.submit(WriteOp::Dispatch {
            event,
            routing,
            reply,
        })
        .await?;
        answer.await.map_err(|_| writer_gone())?
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
        .bind(limit as i64)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(ClaimOutcome::NothingDue);
        }
        let rows = sqlx::query(
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
            .iter()
            .map(|row| {
                Ok(ClaimedDelivery {
                    delivery_id: DeliveryId::from_stored(row.try_get("id")?),
                    event_id: EventId::from_stored(row.try_get("event_id")?),
                    event_type: EventType::from_stored(row.try_get("event_type")?),
                    payload: bytes::Bytes::from(row.try_get::<Vec<u8>, _>("payload")?),
                    endpoint_id: EndpointId::from_stored(row.try_get("endpoint_id")?),
                    url: row.try_get("url")?,
                    secret: row
                        .try_get::<Option<String>, _>("secret")?
                        .map(SecretString::from),
                    attempt_number: row.try_get::<i64, _>("attempt_count")? as u32 + 1,
                    lease_token: lease.token.to_owned(),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(ClaimOutcome::Claimed(deliveries))
    }

    async fn record_attempt(
        &self,
        lease_token: &str,
        attempt: &AttemptRecord,
        transition: DeliveryTransition,
    ) -> Result<RecordOutcome, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.submit(WriteOp::Record {
            lease_token: lease_token.to_owned(),
            attempt: attempt.clone(),
            transition,
            reply,
        })
        .await?;
        answer.await.map_err(|_| writer_gone())?
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
        let next: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(at) FROM (
                 SELECT MIN(next_attempt_at) AS at FROM deliveries WHERE state = 'pending'
                 UNION ALL
                 SELECT MIN(leased_until) AS at FROM deliveries WHERE state = 'in_flight'
             )",
        )
        .fetch_one(&self.reader)
        .await?;
        Ok(next)
    }

    async fn get_event(&self, id: &EventId) -> Result<Option<EventRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT id, event_type, payload, idempotency_key, created_at FROM events WHERE id = ?",
        )
        .bind(id.as_str())
        .fetch_optional(&self.reader)
        .await?;
        row.map(|row| {
            Ok(EventRecord {
                id: EventId::from_stored(row.try_get("id")?),
                event_type: EventType::from_stored(row.try_get("event_type")?),
                payload: CanonicalPayload::from_stored(row.try_get("payload")?),
                idempotency_key: row.try_get("idempotency_key")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .transpose()
    }

    async fn deliveries_for_event(&self, id: &EventId) -> Result<Vec<DeliveryRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, event_id, endpoint_id, state, attempt_count, next_attempt_at, last_error, created_at
             FROM deliveries WHERE event_id = ? ORDER BY id",
        )
        .bind(id.as_str())
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(delivery_from_row).collect()
    }

    async fn attempts_for_delivery(
        &self,
        id: &DeliveryId,
    ) -> Result<Vec<AttemptRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT delivery_id, attempt_number, started_at, duration_ms, http_status, error_kind,
                    error_message, response_excerpt
             FROM attempts WHERE delivery_id = ? ORDER BY id",
        )
        .bind(id.as_str())
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(attempt_from_row).collect()
    }
}
