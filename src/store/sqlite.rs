//! The SQLite backend, the embedded default.
//!
//! All writes go through a pool of exactly one connection, so writers queue
//! in-process instead of meeting `SQLITE_BUSY`; reads use a separate pool.
//! SQLite serves one webhookd instance: use PostgreSQL for several.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{Connection, Sqlite, Transaction};
use tracing::{error, warn};

use super::batch::{BatchBackend, BatchWriter, WriteBatch, impl_write_batch};
use super::log::impl_event_log;
use super::rows::ClaimedRow;
use super::{
    AttemptResult, ClaimOutcome, DispatchOutcome, EndpointRoom, Event, Lease, RecordOutcome,
    Routing, Store, StoreError, now_millis,
};
use crate::config::{self, DatabaseConfig};
use crate::domain::DeliveryId;

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
    /// The database file and its identity when opened; `None` in memory.
    file: Option<(PathBuf, FileIdentity)>,
}

impl SqliteStore {
    pub async fn connect(config: &DatabaseConfig) -> Result<Self, StoreError> {
        let synchronous = match config.sqlite_synchronous {
            config::SqliteSynchronous::Normal => SqliteSynchronous::Normal,
            config::SqliteSynchronous::Full => SqliteSynchronous::Full,
        };
        let options = SqliteConnectOptions::from_str(&config.url)?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        // The file is created here, once. Connections opened later (a
        // replaced writer, a new reader) must find it: if it was deleted,
        // they fail instead of quietly starting an empty database.
        SqliteConnection::connect_with(&options.clone().create_if_missing(true))
            .await?
            .close()
            .await?;
        let file = super::sqlite_file(&config.url).and_then(|path| {
            let identity = FileIdentity::of(&path)?;
            Some((path, identity))
        });
        let acquire_timeout = Duration::from_secs_f64(config.acquire_timeout_seconds);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(acquire_timeout)
            .after_release(|conn, _| Box::pin(verify_outside_transaction(conn)))
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
            file,
        })
    }
}

/// Decides whether the writer connection goes back to the pool: only if it
/// is outside any transaction, as sqlx counts and as SQLite itself says.
///
/// After some errors (`SQLITE_FULL`, `SQLITE_IOERR`) SQLite rolls the
/// transaction back on its own. sqlx's ROLLBACK then fails, its depth count
/// stays at one, the next `begin` issues a SAVEPOINT, and from then on
/// every "transaction" nests inside one that never commits: calls are
/// acknowledged and nothing reaches the file. A connection in any doubt is
/// closed instead, and the pool opens a fresh one.
async fn verify_outside_transaction(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    // `BEGIN IMMEDIATE` is refused by sqlx when it counts an open
    // transaction and by SQLite when one is open, so it checks both.
    match conn.begin_with("BEGIN IMMEDIATE").await {
        Ok(probe) => {
            probe.rollback().await?;
            Ok(true)
        }
        Err(e) => {
            warn!(error.message = %e, "replacing the database writer connection: it was left inside a transaction");
            Ok(false)
        }
    }
}

/// A file's identity: the same path with another identity is another file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileIdentity {
    device: u64,
    inode: u64,
}

impl FileIdentity {
    #[cfg(unix)]
    fn of(path: &std::path::Path) -> Option<FileIdentity> {
        use std::os::unix::fs::MetadataExt;
        let metadata = std::fs::metadata(path).ok()?;
        Some(FileIdentity {
            device: metadata.dev(),
            inode: metadata.ino(),
        })
    }

    #[cfg(not(unix))]
    fn of(_path: &std::path::Path) -> Option<FileIdentity> {
        None
    }
}

impl SqliteStore {
    fn read_pool(&self) -> &SqlitePool {
        &self.reader
    }

    fn write_pool(&self) -> &SqlitePool {
        &self.writer
    }
}

impl_event_log!(SqliteStore, sqlx::Sqlite);

/// Opens group-commit transactions on the writer connection.
struct SqliteBatches(SqlitePool);

#[async_trait]
impl BatchBackend for SqliteBatches {
    async fn begin(&self) -> Result<Box<dyn WriteBatch>, StoreError> {
        Ok(Box::new(SqliteBatch(self.0.begin().await?)))
    }
}

struct SqliteBatch(SqliteTx);

impl_write_batch!(SqliteBatch, sqlx::Sqlite, {});

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

    fn write_failure(&self) -> Option<String> {
        self.batched.health().failure()
    }

    async fn probe_write(&self) -> Result<(), StoreError> {
        self.batched.probe().await
    }

    fn check_database_file(&self) -> Result<(), StoreError> {
        let Some((path, opened)) = &self.file else {
            return Ok(());
        };
        let problem = match FileIdentity::of(path) {
            Some(now) if now == *opened => return Ok(()),
            Some(_) => "was replaced by another file",
            None => "was deleted",
        };
        let reason = format!(
            "the database file {} {problem} while webhookd was running; new events are refused because they could not survive a restart: restore the file and restart webhookd",
            path.display()
        );
        if self.batched.health().failure().as_deref() != Some(reason.as_str()) {
            error!(database = %path.display(), "{reason}");
        }
        self.batched.health().refuse_writes(reason.clone());
        Err(StoreError::Unavailable(reason))
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
        let mut tx = self.writer.begin().await?;
        let claimed: Vec<String> = sqlx::query_scalar(
            "UPDATE deliveries
             SET state = 'in_flight', lease_owner = ?1, lease_token = ?2, leased_until = ?3, updated_at = ?4
             WHERE id IN (
                 SELECT id FROM (
                     -- Each endpoint's earliest deliveries, as many as it has room for.
                     SELECT c.id, c.next_attempt_at,
                            ROW_NUMBER() OVER (PARTITION BY c.endpoint_id ORDER BY c.next_attempt_at) AS rank,
                            COALESCE(f.value, c.cap * ?10) AS room
                     FROM (
                         -- Deliveries of disabled endpoints are paused: not claimed.
                         SELECT d.id, d.endpoint_id, d.next_attempt_at, COALESCE(ep.max_concurrent, ?8) AS cap
                         FROM deliveries d JOIN endpoints ep ON ep.id = d.endpoint_id
                         WHERE d.state = 'pending' AND d.next_attempt_at <= ?4 AND ep.active
                           AND d.endpoint_id NOT IN (SELECT value FROM json_each(?6))
                         ORDER BY d.next_attempt_at
                         LIMIT ?9
                     ) c
                     LEFT JOIN json_each(?7) f ON f.key = c.endpoint_id
                 )
                 WHERE rank <= room
                 ORDER BY next_attempt_at
                 LIMIT ?5
             )
             RETURNING id",
        )
        .bind(lease.owner)
        .bind(lease.token)
        .bind(lease.until)
        .bind(lease.now)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind(serde_json::to_string(room.excluded).expect("a list of strings always serialises"))
        .bind(room.room_json())
        .bind(i64::try_from(room.default_limit).unwrap_or(i64::MAX))
        .bind(EndpointRoom::scan(limit))
        .bind(i64::try_from(room.prefetch_factor).unwrap_or(1))
        .fetch_all(&mut *tx)
        .await?;
        if claimed.is_empty() {
            tx.rollback().await?;
            return Ok(ClaimOutcome::NothingDue);
        }
        let rows: Vec<ClaimedRow> = sqlx::query_as(
            "SELECT d.id, d.event_id, d.endpoint_id, d.attempt_count, d.cycle_start,
                    e.event_type, e.payload, ep.url, ep.secret, ep.previous_secret, ep.previous_secret_expires_at, ep.max_concurrent, ep.signature_scheme
             FROM deliveries d
             JOIN events e ON e.id = d.event_id
             JOIN endpoints ep ON ep.id = d.endpoint_id
             WHERE d.id IN (SELECT value FROM json_each(?))
             ORDER BY d.next_attempt_at",
        )
        .bind(serde_json::to_string(&claimed).expect("a list of strings always serialises"))
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
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

    async fn next_wakeup_at(&self, excluded: &[String]) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT MIN(at) FROM (
                 SELECT MIN(d.next_attempt_at) AS at FROM deliveries d
                 JOIN endpoints ep ON ep.id = d.endpoint_id WHERE d.state = 'pending' AND ep.active
                   AND d.endpoint_id NOT IN (SELECT value FROM json_each(?1))
                 UNION ALL
                 SELECT MIN(leased_until) AS at FROM deliveries WHERE state = 'in_flight'
             )",
        )
        .bind(serde_json::to_string(excluded).expect("a list of strings always serialises"))
        .fetch_one(&self.reader)
        .await?)
    }
}
