//! One webhookd per SQLite file. A second `webhookd serve` on the same file
//! would "recover" the first one's in-flight deliveries and send them again,
//! so the file is claimed with an exclusive lock on `<database>.lock` for as
//! long as the process runs. The kernel drops the lock when the process
//! ends, however it ends, so a crash never leaves a stale lock behind.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;

/// Why the database could not be claimed.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another webhookd ({holder}) is already serving the SQLite database {database}: SQLite serves one process per file; stop the other process, or use PostgreSQL to run several instances (lock file {lock})",
        database = .database.display(),
        lock = .lock.display()
    )]
    HeldByOther {
        database: PathBuf,
        lock: PathBuf,
        /// `pid N` as the holder wrote it, or "unknown process".
        holder: String,
    },
    #[error("cannot open the lock file {path}: {source}", path = .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The exclusive claim on a SQLite database file; released when dropped.
#[derive(Debug)]
pub struct DatabaseLock {
    _file: File,
    path: PathBuf,
}

impl DatabaseLock {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Claims the database of `url` for this process. PostgreSQL and in-memory
/// SQLite need no claim (`None`).
pub fn lock_database(url: &str) -> Result<Option<DatabaseLock>, LockError> {
    let Some(database) = sqlite_file(url) else {
        return Ok(None);
    };
    let mut lock_name = database.clone().into_os_string();
    lock_name.push(".lock");
    let path = PathBuf::from(lock_name);
    let io_error = |source| LockError::Io {
        path: path.clone(),
        source,
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io_error)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            return Err(LockError::HeldByOther {
                database,
                lock: path,
                holder: if holder.is_empty() {
                    "unknown process".to_owned()
                } else {
                    holder.to_owned()
                },
            });
        }
        Err(TryLockError::Error(e)) => return Err(io_error(e)),
    }
    // For the message a refused second process prints; the lock, not the
    // text, is what keeps it out.
    let note = format!("pid {}\n", std::process::id());
    file.set_len(0)
        .and_then(|()| file.seek(SeekFrom::Start(0)))
        .and_then(|_| file.write_all(note.as_bytes()))
        .map_err(io_error)?;
    Ok(Some(DatabaseLock { _file: file, path }))
}

/// The file behind a `sqlite:` URL; `None` for other backends and for
/// in-memory databases.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    if !url.starts_with("sqlite:") || url.contains(":memory:") || url.contains("mode=memory") {
        return None;
    }
    let options = SqliteConnectOptions::from_str(url).ok()?;
    let filename = options.get_filename();
    if filename.as_os_str().is_empty() {
        return None;
    }
    Some(filename.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_claim_on_one_file_is_refused_until_the_first_ends() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let first = lock_database(&url)
            .unwrap()
            .expect("a file database is locked");
        let refused = lock_database(&url).unwrap_err();
        let message = refused.to_string();
        assert!(
            message.contains(&format!("pid {}", std::process::id())),
            "{message}"
        );
        assert!(message.contains("use PostgreSQL"), "{message}");
        drop(first);
        assert!(lock_database(&url).unwrap().is_some());
    }

    #[test]
    fn postgres_and_memory_databases_need_no_lock() {
        assert!(lock_database("postgres://u@h/db").unwrap().is_none());
        assert!(lock_database("sqlite::memory:").unwrap().is_none());
    }
}
