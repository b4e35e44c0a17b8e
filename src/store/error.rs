//! What can go wrong in the store, classified by what the caller can do
//! about it: retry later (`Unavailable`), fix the request (`…NotFound`,
//! `…Exists`, `Conflict`), or nothing (`Internal`, a bug or damaged data).

/// SQLite's primary result codes that mean "not now": the database is
/// busy, locked, full, read-only or unreadable for the moment.
mod sqlite_code {
    pub const BUSY: &str = "5";
    pub const LOCKED: &str = "6";
    pub const NOMEM: &str = "7";
    pub const READONLY: &str = "8";
    pub const IOERR: &str = "10";
    pub const FULL: &str = "13";
    pub const CANTOPEN: &str = "14";
    pub const CONSTRAINT: &str = "19";
}

/// PostgreSQL SQLSTATE classes and codes (appendix A of its manual).
mod pg_state {
    /// Class 08: connection exceptions.
    pub const CONNECTION_CLASS: &str = "08";
    /// Class 53: insufficient resources (disk full, out of memory, too
    /// many connections).
    pub const RESOURCES_CLASS: &str = "53";
    /// Class 57: operator intervention (shutdown, crash recovery).
    pub const OPERATOR_CLASS: &str = "57";
    /// Class 23: integrity constraint violations.
    pub const CONSTRAINT_CLASS: &str = "23";
    pub const SERIALIZATION_FAILURE: &str = "40001";
    pub const DEADLOCK_DETECTED: &str = "40P01";
    pub const READ_ONLY_TRANSACTION: &str = "25006";
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("endpoint `{0}` does not exist")]
    EndpointNotFound(String),
    #[error("endpoint `{0}` is not active")]
    EndpointInactive(String),
    #[error("endpoint `{0}` already exists")]
    EndpointExists(String),
    #[error("event `{0}` does not exist")]
    EventNotFound(String),
    #[error("API key `{0}` does not exist")]
    ApiKeyNotFound(String),
    #[error("API key `{0}` already exists")]
    ApiKeyExists(String),
    /// The database refused a change that breaks one of its rules (a
    /// unique key, a foreign key, a trigger); retrying will not help.
    #[error("the database refused the change: {0}")]
    Conflict(String),
    /// The database cannot serve now (down, full, busy, being restarted);
    /// nothing was stored and a retry may succeed.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A query or a row that webhookd itself got wrong.
    #[error("database error: {0}")]
    Internal(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// A stored secret that the configured `security.secret_keys` cannot
    /// decrypt.
    #[error("cannot read a stored secret: {0}")]
    SecretKey(String),
}

impl StoreError {
    /// Whether a retry of the same call may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        let message = e.to_string();
        match &e {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Protocol(_) => StoreError::Unavailable(message),
            sqlx::Error::Database(db) => {
                let code = match db.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
                    Some(_) => db.code().as_deref().map(Code::sqlite),
                    None => db.code().as_deref().map(Code::postgres),
                };
                let Some(code) = code else {
                    return StoreError::Internal(message);
                };
                code.classify(message)
            }
            _ => StoreError::Internal(message),
        }
    }
}

/// SQLite's errors met through its own interface (the batch writer's,
/// `sql/direct.rs`), classified and worded as sqlx's.
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        let rusqlite::Error::SqliteFailure(failure, message) = &e else {
            return StoreError::Internal(e.to_string());
        };
        let message = format!(
            "error returned from database: (code: {}) {}",
            failure.extended_code,
            message.clone().unwrap_or_else(|| failure.to_string())
        );
        Code::sqlite(&failure.extended_code.to_string()).classify(message)
    }
}

/// A database error code, by backend.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Code {
    /// SQLite's primary result code (the low byte of an extended one:
    /// `2067` is a unique constraint, `13` a full disk).
    Sqlite(String),
    /// PostgreSQL's SQLSTATE.
    Postgres(String),
}

impl Code {
    fn sqlite(code: &str) -> Code {
        let primary = code
            .parse::<u32>()
            .map_or_else(|_| code.to_owned(), |n| (n & 0xff).to_string());
        Code::Sqlite(primary)
    }

    fn postgres(code: &str) -> Code {
        Code::Postgres(code.to_owned())
    }

    fn is_transient(&self) -> bool {
        match self {
            Code::Sqlite(primary) => [
                sqlite_code::BUSY,
                sqlite_code::LOCKED,
                sqlite_code::NOMEM,
                sqlite_code::READONLY,
                sqlite_code::IOERR,
                sqlite_code::FULL,
                sqlite_code::CANTOPEN,
            ]
            .contains(&primary.as_str()),
            Code::Postgres(state) => {
                state.starts_with(pg_state::CONNECTION_CLASS)
                    || state.starts_with(pg_state::RESOURCES_CLASS)
                    || state.starts_with(pg_state::OPERATOR_CLASS)
                    || [
                        pg_state::SERIALIZATION_FAILURE,
                        pg_state::DEADLOCK_DETECTED,
                        pg_state::READ_ONLY_TRANSACTION,
                    ]
                    .contains(&state.as_str())
            }
        }
    }

    /// The error `message` is, by what a retry can do about this code.
    fn classify(&self, message: String) -> StoreError {
        if self.is_transient() {
            StoreError::Unavailable(message)
        } else if self.is_constraint() {
            StoreError::Conflict(message)
        } else {
            StoreError::Internal(message)
        }
    }

    fn is_constraint(&self) -> bool {
        match self {
            Code::Sqlite(primary) => primary == sqlite_code::CONSTRAINT,
            Code::Postgres(state) => state.starts_with(pg_state::CONSTRAINT_CLASS),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_classified_by_what_a_retry_can_do() {
        // Full disk, busy, an extended I/O error; admin shutdown, disk
        // full, connection failure, serialization failure.
        let transient = ["13", "5", "522"]
            .map(Code::sqlite)
            .into_iter()
            .chain(["57P01", "53100", "08006", "40001"].map(Code::postgres));
        for code in transient {
            assert!(code.is_transient() && !code.is_constraint(), "{code:?}");
        }
        // A unique and a trigger constraint; unique and foreign key
        // violations.
        let constraints = ["2067", "1811", "19"]
            .map(Code::sqlite)
            .into_iter()
            .chain(["23505", "23503"].map(Code::postgres));
        for code in constraints {
            assert!(code.is_constraint() && !code.is_transient(), "{code:?}");
        }
        // A syntax error, a raised exception: neither, a bug.
        for code in [
            Code::sqlite("1"),
            Code::postgres("42601"),
            Code::postgres("P0001"),
        ] {
            assert!(!code.is_transient() && !code.is_constraint(), "{code:?}");
        }
    }

    #[test]
    fn sqlite_errors_read_the_same_through_either_interface() {
        let full = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(13),
            Some("database or disk is full".to_owned()),
        );
        assert_eq!(
            StoreError::from(full).to_string(),
            "database unavailable: error returned from database: (code: 13) database or disk is full"
        );
        let unique = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(2067), None);
        assert!(matches!(StoreError::from(unique), StoreError::Conflict(_)));
        let misuse = rusqlite::Error::InvalidParameterCount(3, 2);
        assert!(matches!(StoreError::from(misuse), StoreError::Internal(_)));
    }

    #[test]
    fn pool_timeouts_are_transient() {
        assert!(StoreError::from(sqlx::Error::PoolTimedOut).is_transient());
        assert!(!StoreError::from(sqlx::Error::RowNotFound).is_transient());
    }
}
