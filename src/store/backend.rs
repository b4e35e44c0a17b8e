//! `SqlStore`: the store over either backend, and `Backend`, what each
//! backend supplies beyond the shared SQL.

use std::collections::HashSet;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use sqlx::Pool;
use tokio::sync::Notify;
use tracing::error;

use super::batch::BatchWriter;
use super::model::{AttemptResult, EndpointRoom, Lease};
use super::rows::ClaimedRow;
use super::sql::{NewDelivery, Sql};
use super::sqlite_writer::SqliteWriterThread;
use super::{StoreError, StoreHealth};
use crate::domain::{Event, SecretKeys};

/// What a backend adds to the shared SQL: its migrations and the
/// statements whose dialect differs.
pub(crate) trait Backend: Sql + Send + Sync + 'static {
    /// Applies the migrations of this backend (`migrations/<backend>`).
    fn migrate(pool: &Pool<Self>) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Leases up to `limit` due deliveries of enabled endpoints, except
    /// those `room` excludes, and no more of an endpoint's than it has room
    /// for; returns them joined with their event and endpoint.
    fn claim_due(
        store: &SqlStore<Self>,
        lease: &Lease<'_>,
        limit: usize,
        room: &EndpointRoom<'_>,
    ) -> impl Future<Output = Result<Vec<ClaimedRow>, StoreError>> + Send;

    /// The earliest `next_attempt_at` of a pending delivery of an active
    /// endpoint not in `excluded`, or the earliest lease expiry.
    fn next_wakeup_at(
        pool: &Pool<Self>,
        excluded: &[String],
    ) -> impl Future<Output = Result<Option<i64>, StoreError>> + Send;

    /// Makes the deliveries a crashed predecessor held claimable at once,
    /// as far as the backend can tell safely.
    fn recover_at_start(pool: &Pool<Self>) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Tells other instances, inside a write transaction, that new
    /// deliveries are due; `origin` names the announcing store.
    fn announce_due_work(
        conn: &mut Self::Connection,
        origin: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Wakes `wake` whenever another instance dispatches work, until the
    /// future is dropped. Announcements of `origin` (this store) are not
    /// remote.
    fn watch_remote_work(
        pool: Pool<Self>,
        wake: Arc<Notify>,
        origin: &str,
    ) -> impl Future<Output = ()> + Send;

    /// A write batch's events, as `Sql::insert_events`. The default sends
    /// them as multi-row `VALUES`, a statement text per batch size.
    fn insert_event_batch(
        conn: &mut Self::Connection,
        events: &[&Event],
    ) -> impl Future<Output = Result<HashSet<String>, StoreError>> + Send {
        async move { Ok(Self::insert_events(conn, events).await?) }
    }

    /// A write batch's deliveries, as `Sql::insert_deliveries`.
    fn insert_delivery_batch(
        conn: &mut Self::Connection,
        deliveries: &[NewDelivery<'_>],
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        async move { Ok(Self::insert_deliveries(conn, deliveries).await?) }
    }

    /// A write batch's attempt results, as `Sql::record_attempts`.
    fn record_attempt_batch(
        conn: &mut Self::Connection,
        results: &[&AttemptResult],
        now: i64,
    ) -> impl Future<Output = Result<HashSet<String>, StoreError>> + Send {
        async move { Ok(Self::record_attempts(conn, results, now).await?) }
    }

    /// Serialises, until the transaction ends, the dispatches of these
    /// ordering keys (sorted), so that each sees the deliveries the one
    /// before it stored. SQLite has one writer: nothing to do.
    fn lock_ordering_keys(
        conn: &mut Self::Connection,
        keys: &[&str],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Makes the head of ordering key `key` at `endpoint` due at `now` if
    /// it is held.
    fn release_ordered_head(
        conn: &mut Self::Connection,
        endpoint: &str,
        key: &str,
        now: i64,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Makes every held delivery that heads its ordering key due at `now`.
    fn release_stuck_ordered(
        conn: &mut Self::Connection,
        now: i64,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Refreshes the query planner's statistics of the tables that grew
    /// well past what they describe; returns their names.
    fn refresh_statistics(
        pool: &Pool<Self>,
    ) -> impl Future<Output = Result<Vec<&'static str>, StoreError>> + Send;

    /// Copies the write-ahead log into the database file, mostly on a
    /// reader connection while the writer goes on; returns how many frames
    /// (pages) the log held.
    fn checkpoint_log(
        read: &Pool<Self>,
        write: &Pool<Self>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

/// The store over one backend: pools for reads and writes (the same pool
/// on PostgreSQL; SQLite has a single writer connection) and the
/// group-commit writer for the hot writes.
pub struct SqlStore<DB: sqlx::Database> {
    pub(super) read: Pool<DB>,
    pub(super) write: Pool<DB>,
    /// Where claims run: a connection of their own on PostgreSQL (see
    /// `postgres.rs`); on SQLite the writer connection, held as the write
    /// turn while the writer thread claims (a file) or claiming itself (a
    /// database in memory).
    pub(super) claims: Pool<DB>,
    pub(super) batched: BatchWriter,
    /// A SQLite file's writer thread, where its write batches and claims
    /// run; `None` otherwise.
    pub(super) writer_thread: Option<SqliteWriterThread>,
    /// The SQLite file and its identity when opened; `None` otherwise.
    pub(super) file: Option<(PathBuf, FileIdentity)>,
    /// The keys endpoint secrets are sealed with, set once at start
    /// (`protect_secrets`); unset: secrets are stored as given.
    pub(super) secrets: Arc<OnceLock<SecretKeys>>,
}

impl<DB: sqlx::Database> SqlStore<DB> {
    pub(super) fn secrets(&self) -> &SecretKeys {
        secrets_or_none(&self.secrets)
    }
}

/// The keys secrets are sealed with, or none (secrets stored as given)
/// until they are set.
pub(super) fn secrets_or_none(secrets: &OnceLock<SecretKeys>) -> &SecretKeys {
    static NONE: OnceLock<SecretKeys> = OnceLock::new();
    secrets
        .get()
        .unwrap_or_else(|| NONE.get_or_init(SecretKeys::default))
}

impl<DB: sqlx::Database> Clone for SqlStore<DB> {
    fn clone(&self) -> Self {
        SqlStore {
            read: self.read.clone(),
            write: self.write.clone(),
            claims: self.claims.clone(),
            batched: self.batched.clone(),
            writer_thread: self.writer_thread.clone(),
            file: self.file.clone(),
            secrets: Arc::clone(&self.secrets),
        }
    }
}

impl<DB: sqlx::Database> std::fmt::Debug for SqlStore<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStore")
            .field("read", &self.read)
            .field("write", &self.write)
            .finish_non_exhaustive()
    }
}

/// A file's identity: the same path with another identity is another file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileIdentity {
    device: u64,
    inode: u64,
}

impl FileIdentity {
    #[cfg(unix)]
    pub(crate) fn of(path: &std::path::Path) -> Option<FileIdentity> {
        use std::os::unix::fs::MetadataExt;
        let metadata = std::fs::metadata(path).ok()?;
        Some(FileIdentity {
            device: metadata.dev(),
            inode: metadata.ino(),
        })
    }

    #[cfg(not(unix))]
    pub(crate) fn of(_path: &std::path::Path) -> Option<FileIdentity> {
        None
    }
}

#[async_trait]
impl<DB: Backend> StoreHealth for SqlStore<DB> {
    async fn migrate(&self) -> Result<(), StoreError> {
        DB::migrate(&self.write).await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.read.acquire().await?;
        Ok(DB::ping(&mut conn).await?)
    }

    fn write_failure(&self) -> Option<String> {
        self.batched.health().failure()
    }

    async fn probe_write(&self) -> Result<(), StoreError> {
        self.batched.probe().await
    }

    async fn refresh_statistics(&self) -> Result<Vec<&'static str>, StoreError> {
        DB::refresh_statistics(&self.write).await
    }

    async fn checkpoint_log(&self) -> Result<u64, StoreError> {
        DB::checkpoint_log(&self.read, &self.write).await
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
}
