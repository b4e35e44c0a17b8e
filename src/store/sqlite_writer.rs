//! The SQLite writer thread. It owns a connection of SQLite's own
//! interface (`sql/direct.rs`) and runs each job it is handed in one
//! stretch: a whole write batch from `BEGIN` to `COMMIT`, or a claim with
//! its read-back. One thread hand-off per job, where sqlx makes two per
//! statement and one per row it returns. Blocking calls stay off the
//! async runtime's threads, as with sqlx.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use tokio::sync::oneshot;
use tracing::warn;

use super::StoreError;
use super::sql::DirectSqlite;

/// What the thread needs to open its connection again.
struct Opening {
    path: PathBuf,
    pragmas: Vec<(&'static str, String)>,
    busy_timeout: Duration,
}

impl Opening {
    fn open(&self) -> Result<DirectSqlite, StoreError> {
        Ok(DirectSqlite::open(
            &self.path,
            &self.pragmas,
            self.busy_timeout,
        )?)
    }
}

type Job = Box<dyn FnOnce(Result<&mut DirectSqlite, StoreError>) + Send>;

/// The sending side of the writer thread; the thread ends when the last
/// handle is dropped.
#[derive(Clone)]
pub(super) struct SqliteWriterThread {
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for SqliteWriterThread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteWriterThread").finish_non_exhaustive()
    }
}

impl SqliteWriterThread {
    /// Opens the connection (so a fault shows at start) and starts the
    /// thread that owns it.
    pub(super) fn spawn(
        path: PathBuf,
        pragmas: Vec<(&'static str, String)>,
        busy_timeout: Duration,
    ) -> Result<Self, StoreError> {
        let opening = Opening {
            path,
            pragmas,
            busy_timeout,
        };
        let conn = opening.open()?;
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".to_owned())
            .spawn(move || serve(opening, conn, queue))
            .map_err(|e| StoreError::Internal(format!("cannot start the SQLite writer: {e}")))?;
        Ok(SqliteWriterThread { jobs })
    }

    /// Runs `work` on the thread with its connection (or why it could not
    /// be opened) and returns what `work` returned; an error if the thread
    /// is gone (it panicked), and then `work` and what it owned are dropped.
    pub(super) async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(Result<&mut DirectSqlite, StoreError>) -> T + Send + 'static,
    ) -> Result<T, StoreError> {
        let gone = || StoreError::Unavailable("the SQLite writer thread has stopped".to_owned());
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let _ = reply.send(work(conn));
        });
        self.jobs.send(job).map_err(|_| gone())?;
        answer.await.map_err(|_| gone())
    }
}

/// The thread's loop: each job gets the connection, opened again first if
/// the last one was given up.
fn serve(opening: Opening, conn: DirectSqlite, queue: mpsc::Receiver<Job>) {
    let mut conn = Some(conn);
    while let Ok(job) = queue.recv() {
        let opened = match conn.take() {
            Some(conn) => Ok(conn),
            None => opening.open(),
        };
        match opened {
            Ok(mut opened) => {
                job(Ok(&mut opened));
                // A job ends its transaction; a connection still inside
                // one (its rollback failed too) could nest every later
                // batch inside a transaction that never commits.
                if opened.in_transaction() {
                    warn!(
                        "replacing the SQLite writer connection: it was left inside a transaction"
                    );
                } else {
                    conn = Some(opened);
                }
            }
            Err(e) => job(Err(e)),
        }
    }
}
