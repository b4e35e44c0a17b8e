//! The SQLite backend, the embedded default.
//!
//! All writes go through a pool of exactly one connection, so writers queue
//! in-process instead of meeting `SQLITE_BUSY`; reads use a separate pool.
//! SQLite serves one webhookd instance per file (`lock.rs` makes sure):
//! use PostgreSQL for several.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::SqliteTransactionManager;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqlitePoolOptions};
use sqlx::{Connection, Pool, Sqlite, TransactionManager};
use tokio::sync::Notify;
use tracing::warn;

use super::StoreError;
use super::backend::{Backend, FileIdentity, SqlStore};
use super::batch::{BatchTarget, BatchWriter};
use super::model::{EndpointRoom, Lease};
use super::rows::ClaimedRow;
use super::sql::{ClaimArguments, ClaimStatements};
use super::sqlite_writer::SqliteWriterThread;
use crate::clock::now_millis;
use crate::config::{self, DatabaseConfig};
use crate::domain::HELD_FOR_ORDERING;

pub(super) static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");

/// The claim and the read-back of what it leased, as one call through sqlx
/// (a database in memory): sqlx runs each call on the connection's own
/// thread, and a thread hand-off per statement cost more than the
/// statements at ordinary rates. Parameters are numbered across both
/// statements. It picks its endpoints with the statement the writer
/// thread's claim starts with (`CLAIM_STEPS`).
const CLAIM: &str = concat!(
    include_str!("queries/sqlite/queued_endpoints.sql"),
    ",\npicked (id, room) AS (\n",
    include_str!("queries/sqlite/claim_endpoints.sql"),
    ")\n",
    include_str!("queries/sqlite/claim.sql"),
    ";\n",
    include_str!("queries/delivery_leased.sql")
);
/// The claim on the writer thread (SQLite's own interface, which prepares
/// one statement at a time): the same rules as `CLAIM` in simpler steps,
/// starting from the same endpoints.
const CLAIM_STEPS: ClaimStatements = ClaimStatements {
    endpoints: concat!(
        include_str!("queries/sqlite/queued_endpoints.sql"),
        include_str!("queries/sqlite/claim_endpoints.sql")
    ),
    due: include_str!("queries/sqlite/claim_due.sql"),
    lease: include_str!("queries/sqlite/lease_by_id.sql"),
};
const NEXT_WAKEUP: &str = concat!(
    include_str!("queries/sqlite/queued_endpoints.sql"),
    include_str!("queries/sqlite/next_wakeup.sql")
);
const RECOVER_LEASES: &str = include_str!("queries/sqlite/recover_leases.sql");
pub(super) const RELEASE_ORDERED_HEAD: &str =
    include_str!("queries/sqlite/release_ordered_head.sql");
const RELEASE_STUCK_ORDERED: &str = include_str!("queries/sqlite/release_stuck_ordered.sql");

/// Page cache of each connection, in KiB.
const CACHE_KIB: u64 = 32 * 1024;
/// How much of the database file the writers map into memory (the
/// `mmap_size` pragma). Readers do not: a reader that begins a
/// transaction after another connection committed drops its page cache
/// and its map (SQLite's pager does so whenever the log changed), so at
/// ordinary rates nearly every read would unmap the file, flush the TLB
/// of every core and fault the pages in again (7 % of the CPU at 1,000
/// events/s). A writer's own commits leave its cache and map in place.
const WRITER_MMAP: (&str, u64) = ("mmap_size", 256 * 1024 * 1024);

/// The size of the write-ahead log, in frames (pages), at which a commit
/// copies the log into the database itself while its callers wait. The
/// store's `checkpoint_log` does that beside the writer several times a
/// second, so this is a backstop for when that falls behind: four times
/// SQLite's default, since at 1,000 events/s the log grows by about 900
/// frames between two of those checkpoints.
const AUTOCHECKPOINT_FRAMES: u32 = 4000;

/// How long a connection waits on a lock held by another process (such as
/// `sqlite3` opened by an operator) before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub type SqliteStore = SqlStore<Sqlite>;

impl SqlStore<Sqlite> {
    pub async fn connect(config: &DatabaseConfig) -> Result<Self, StoreError> {
        let pragmas = connection_pragmas(config);
        let options = pragmas
            .iter()
            .fold(
                SqliteConnectOptions::from_str(&config.url)
                    .map_err(|e| StoreError::Unavailable(e.to_string()))?,
                |options, (name, value)| options.pragma(*name, value.clone()),
            )
            .busy_timeout(BUSY_TIMEOUT);
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
        let acquire_timeout = config.acquire_timeout;
        // No ping before a connection is handed out: a SQLite connection
        // lives in this process, so the ping only proves that sqlx's
        // thread for it answers, at the cost of a round trip to that
        // thread on every acquire (about 8 % of the CPU per event at
        // 1,000 events/s). sqlx still pings when a connection is returned.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(acquire_timeout)
            .after_release(|conn, _| Box::pin(verify_outside_transaction(conn)))
            .connect_with(
                options
                    .clone()
                    .pragma(WRITER_MMAP.0, WRITER_MMAP.1.to_string()),
            )
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(config.max_connections)
            .test_before_acquire(false)
            .acquire_timeout(acquire_timeout)
            .connect_with(options)
            .await?;
        let secrets = Arc::default();
        // A file's write batches run on a thread of their own with SQLite's
        // own interface; an in-memory database exists only inside sqlx's
        // connection, so its batches run there.
        let writer_thread = match &file {
            Some((path, _)) => {
                let mut pragmas = pragmas;
                pragmas.push((WRITER_MMAP.0, WRITER_MMAP.1.to_string()));
                Some(SqliteWriterThread::spawn(
                    path.clone(),
                    pragmas,
                    BUSY_TIMEOUT,
                )?)
            }
            None => None,
        };
        let target = match &writer_thread {
            Some(thread) => BatchTarget::Thread {
                turn: write.clone(),
                thread: thread.clone(),
            },
            None => BatchTarget::Pool(write.clone()),
        };
        let batched = BatchWriter::spawn(target, 1, config.group_commit_wait, Arc::clone(&secrets));
        Ok(SqlStore {
            read,
            claims: write.clone(),
            write,
            batched,
            writer_thread,
            file,
            secrets,
        })
    }
}

/// The settings of every connection to the file, as `PRAGMA` name and value.
fn connection_pragmas(config: &DatabaseConfig) -> Vec<(&'static str, String)> {
    let synchronous = match config.sqlite_synchronous {
        config::SqliteSynchronous::Normal => "NORMAL",
        config::SqliteSynchronous::Full => "FULL",
    };
    vec![
        ("journal_mode", "WAL".to_owned()),
        ("synchronous", synchronous.to_owned()),
        ("foreign_keys", "ON".to_owned()),
        // The hot tables' pages stay in memory as the backlog grows
        // (SQLite's default cache is 2 MiB per connection).
        ("cache_size", format!("-{CACHE_KIB}")),
        ("wal_autocheckpoint", AUTOCHECKPOINT_FRAMES.to_string()),
    ]
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
    // sqlx counts a transaction only once SQLite began it and uncounts it
    // only once SQLite ended it, so a count of zero needs no check.
    if SqliteTransactionManager::get_transaction_depth(conn) == 0 {
        return Ok(true);
    }
    // A rollback may still be queued behind the release. `BEGIN IMMEDIATE`
    // runs after it and is refused by sqlx when it counts an open
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

/// Copies what it can of the write-ahead log into the database file
/// without waiting for readers or writers; returns the frames the log
/// holds.
async fn wal_checkpoint(conn: &mut SqliteConnection) -> Result<u64, StoreError> {
    // Columns: busy (another checkpoint was running), frames in the log,
    // frames copied.
    let (_busy, frames, _copied): (i64, i64, i64) =
        sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(conn)
            .await?;
    Ok(u64::try_from(frames).unwrap_or(0))
}

impl Backend for Sqlite {
    async fn migrate(pool: &Pool<Sqlite>) -> Result<(), StoreError> {
        Ok(MIGRATOR.run(pool).await?)
    }

    async fn claim_due(
        store: &SqlStore<Sqlite>,
        lease: &Lease<'_>,
        limit: usize,
        room: &EndpointRoom<'_>,
    ) -> Result<Vec<ClaimedRow>, StoreError> {
        let arguments = ClaimArguments::new(lease, limit, room);
        // No transaction: the one writer connection is held for the call
        // (the write turn), so nothing writes between the claim and its
        // read-back. If the read-back fails, the leases expire and the
        // sweep makes them due again.
        let mut turn = store.claims.acquire().await?;
        let Some(thread) = &store.writer_thread else {
            return Ok(sqlx::query_as_with(CLAIM, arguments.into_sqlx())
                .fetch_all(&mut *turn)
                .await?);
        };
        // On the writer thread, as a write batch is: sqlx would hand every
        // leased row from its connection's thread to the caller's.
        let claimed = thread
            .run(move |conn| Ok::<_, StoreError>(conn?.claim(&CLAIM_STEPS, &arguments)?))
            .await;
        drop(turn);
        claimed?
    }

    async fn next_wakeup_at(
        pool: &Pool<Sqlite>,
        excluded: &[String],
    ) -> Result<Option<i64>, StoreError> {
        let excluded =
            serde_json::to_string(excluded).expect("a list of strings always serialises");
        Ok(sqlx::query_scalar(NEXT_WAKEUP)
            .bind(excluded)
            .fetch_one(pool)
            .await?)
    }

    async fn recover_at_start(pool: &Pool<Sqlite>) -> Result<u64, StoreError> {
        let result = sqlx::query(RECOVER_LEASES)
            .bind(now_millis())
            .execute(pool)
            .await?;
        Ok(result.rows_affected())
    }

    async fn announce_due_work(
        _conn: &mut SqliteConnection,
        _origin: &str,
    ) -> Result<(), StoreError> {
        // One process per file: the scheduler is woken in-process.
        Ok(())
    }

    async fn watch_remote_work(_pool: Pool<Sqlite>, _wake: Arc<Notify>, _origin: &str) -> () {
        std::future::pending().await
    }

    async fn lock_ordering_keys(
        _conn: &mut SqliteConnection,
        _keys: &[&str],
    ) -> Result<(), StoreError> {
        Ok(())
    }

    async fn release_ordered_head(
        conn: &mut SqliteConnection,
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

    async fn refresh_statistics(_pool: &Pool<Sqlite>) -> Result<Vec<&'static str>, StoreError> {
        // SQLite plans without gathered statistics unless ANALYZE was run,
        // so its plans never go stale; the queue's queries are written
        // for those plans.
        Ok(Vec::new())
    }

    async fn checkpoint_log(read: &Pool<Sqlite>, write: &Pool<Sqlite>) -> Result<u64, StoreError> {
        // The bulk of the copy, on a reader: commits go on meanwhile. The
        // second pass copies what was committed during the first, so the
        // writer's step below, which the commits wait for, is short.
        {
            let mut reader = read.acquire().await?;
            for _ in 0..2 {
                wal_checkpoint(&mut reader).await?;
            }
        }
        // What was committed during that copy, holding the writer: once
        // the whole log is copied, the writer's next commit starts it over
        // from the beginning, so it never grows to the autocheckpoint
        // threshold, where a commit would copy and sync it itself while
        // its callers wait.
        wal_checkpoint(&mut *write.acquire().await?).await
    }

    async fn release_stuck_ordered(
        conn: &mut SqliteConnection,
        now: i64,
    ) -> Result<u64, StoreError> {
        Ok(sqlx::query(RELEASE_STUCK_ORDERED)
            .bind(now)
            .bind(HELD_FOR_ORDERING)
            .execute(&mut *conn)
            .await?
            .rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plan of `statement` on a freshly migrated database, one line per
    /// step.
    async fn plan_of(statement: &str, bind: impl FnOnce(&str) -> String) -> String {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("plan.db").display());
        let options = SqliteConnectOptions::from_str(&url)
            .unwrap()
            .create_if_missing(true);
        let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
        MIGRATOR.run(&mut conn).await.unwrap();
        let rows: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(&format!("EXPLAIN QUERY PLAN {}", bind(statement)))
                .fetch_all(&mut conn)
                .await
                .unwrap();
        rows.into_iter()
            .map(|(_, _, _, step)| step)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The writer thread's claim reads one endpoint's due deliveries in
    /// the pending index's order: no sort, however large its backlog.
    #[tokio::test]
    async fn a_claim_reads_an_endpoints_share_in_index_order() {
        let plan = plan_of(CLAIM_STEPS.due, |sql| {
            sql.replace("?1", "'ep'")
                .replace("?2", "1")
                .replace("?3", "40")
        })
        .await;
        assert!(
            plan.contains(
                "SEARCH d USING INDEX deliveries_pending (endpoint_id=? AND next_attempt_at<?)"
            ) && !plan.contains("TEMP B-TREE"),
            "{plan}"
        );
    }

    /// The writer thread's connection, which commits every event, has the
    /// settings of the store's other connections: above all the configured
    /// `sqlite_synchronous`, which decides what survives a power loss.
    #[tokio::test]
    async fn the_writer_thread_connects_with_the_stores_settings() {
        let dir = tempfile::tempdir().unwrap();
        let config = DatabaseConfig {
            url: format!("sqlite://{}", dir.path().join("w.db").display()),
            sqlite_synchronous: config::SqliteSynchronous::Full,
            ..DatabaseConfig::default()
        };
        let store = SqlStore::<Sqlite>::connect(&config).await.unwrap();
        let thread = store
            .writer_thread
            .as_ref()
            .expect("a file gets a writer thread");
        let settings = thread
            .run(|conn| {
                let conn = conn.unwrap();
                [
                    "synchronous",
                    "journal_mode",
                    "foreign_keys",
                    "cache_size",
                    "wal_autocheckpoint",
                    "mmap_size",
                ]
                .map(|name| (name, conn.pragma(name).unwrap()))
            })
            .await
            .unwrap();
        assert_eq!(
            settings,
            [
                // FULL
                ("synchronous", "2".to_owned()),
                ("journal_mode", "wal".to_owned()),
                ("foreign_keys", "1".to_owned()),
                ("cache_size", format!("-{CACHE_KIB}")),
                ("wal_autocheckpoint", AUTOCHECKPOINT_FRAMES.to_string()),
                ("mmap_size", WRITER_MMAP.1.to_string()),
            ]
        );
    }

    /// Neither the claim nor the scheduler's wake-up time visits endpoints
    /// with nothing queued: with thousands registered and a few busy, that
    /// visit was most of a claim's time.
    #[tokio::test]
    async fn claims_visit_only_endpoints_with_a_pending_delivery() {
        let claim = plan_of(CLAIM, |sql| {
            sql.replace("?10", "4")
                .replace("?1", "'owner'")
                .replace("?2", "'token'")
                .replace("?3", "1")
                .replace("?4", "1")
                .replace("?5", "40")
                .replace("?6", "'[]'")
                .replace("?7", "'{}'")
                .replace("?8", "10")
                .replace("?9", "40")
        })
        .await;
        let wakeup = plan_of(NEXT_WAKEUP, |sql| sql.replace("?1", "'[]'")).await;
        let claim_endpoints = plan_of(CLAIM_STEPS.endpoints, |sql| {
            sql.replace("?10", "4")
                .replace("?4", "1")
                .replace("?5", "40")
                .replace("?6", "'[]'")
                .replace("?7", "'{}'")
                .replace("?8", "10")
        })
        .await;
        for (name, plan) in [
            ("claim", claim),
            ("next wake-up", wakeup),
            ("writer thread's claim", claim_endpoints),
        ] {
            assert!(
                plan.contains("SEARCH ep USING INDEX sqlite_autoindex_endpoints_1 (id=?)")
                    && !plan.contains("SCAN ep"),
                "the {name} reads every endpoint:\n{plan}"
            );
            assert!(
                !plan.contains("deliveries_endpoint_state"),
                "the {name} finds queued endpoints through the history:\n{plan}"
            );
        }
    }
}
