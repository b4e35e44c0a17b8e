//! The batch writer's statements and the claim on SQLite through SQLite's
//! own interface (rusqlite) instead of sqlx. sqlx runs every statement on
//! a thread of its connection and hands the result back, two thread
//! switches per statement and one per returned row; at ordinary rates
//! those switches cost more than the statements (docs/benchmarks.md,
//! "sqlx's connection thread"). Here a whole batch, or a claim, runs on
//! the thread that owns the connection (`sqlite_writer.rs`). The statement
//! texts are those `shared.rs` and `sqlite.rs` run.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use rusqlite::types::FromSql;
use rusqlite::{Connection, OpenFlags, Row, Statement as Prepared};
use sqlx::Arguments;
use sqlx::sqlite::SqliteArguments;
use tracing::warn;

use super::queries::{
    DELIVERY_IDS_OF_DISPATCH, ENDPOINT_AUTO_DISABLE, ENDPOINT_COUNT_FAILURE, ENDPOINT_ROUTING,
    ENDPOINT_ROUTING_VERSION, EVENT_BY_IDEMPOTENCY_KEY, PROBE_WRITE,
};
use super::statement::{Statement, Value};
use super::{NewDelivery, ROWS_PER_STATEMENT, dynamic};
use crate::domain::{Event, HELD_FOR_ORDERING};
use crate::store::model::{AttemptResult, EndpointRoom, Lease};
use crate::store::rows::{ClaimedRow, RoutingRow};
use crate::store::sqlite::RELEASE_ORDERED_HEAD;

type Result<T> = rusqlite::Result<T>;

/// Prepared statements kept per connection: the multi-row inserts have a
/// text per row count, so this holds the common sizes of each.
const STATEMENT_CACHE: usize = 256;

/// A SQLite connection that runs the batch writer's statements and claims.
pub(crate) struct DirectSqlite {
    conn: Connection,
}

impl DirectSqlite {
    /// Opens the existing database at `path` (never creates one: a file
    /// deleted under webhookd must not quietly become an empty database)
    /// with the `pragmas` of the store's other connections.
    pub(crate) fn open(
        path: &Path,
        pragmas: &[(&str, String)],
        busy_timeout: Duration,
    ) -> Result<Self> {
        let conn = Connection::open_with_flags(
            path,
            // One thread uses the connection: SQLite's own mutex is not
            // needed.
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(busy_timeout)?;
        for (name, value) in pragmas {
            // Some pragmas answer with a row (journal_mode), others not.
            conn.query_row(&format!("PRAGMA {name} = {value}"), [], |_| Ok(()))
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(()),
                    e => Err(e),
                })?;
        }
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(DirectSqlite { conn })
    }

    /// Runs `work` in a transaction that takes SQLite's write lock at once,
    /// and commits if `work` succeeded; otherwise rolls back what SQLite
    /// has not rolled back itself (it does after a full disk or an I/O
    /// error, so its own answer is read rather than a count kept).
    pub(crate) fn transaction<T, E: From<rusqlite::Error>>(
        &mut self,
        work: impl FnOnce(&mut Self) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let outcome = work(self).and_then(|value| {
            self.conn.execute_batch("COMMIT")?;
            Ok(value)
        });
        if outcome.is_err()
            && !self.conn.is_autocommit()
            && let Err(e) = self.conn.execute_batch("ROLLBACK")
        {
            warn!(error.message = %e, "rolling back a failed write batch failed");
        }
        outcome
    }

    /// The value of pragma `name`, as text.
    #[cfg(test)]
    pub(crate) fn pragma(&self, name: &str) -> Result<String> {
        use rusqlite::types::ValueRef;
        self.conn.query_row(&format!("PRAGMA {name}"), [], |row| {
            Ok(match row.get_ref(0)? {
                ValueRef::Integer(value) => value.to_string(),
                ValueRef::Text(text) => String::from_utf8_lossy(text).into_owned(),
                other => format!("{other:?}"),
            })
        })
    }

    /// Whether a transaction is open on the connection.
    pub(crate) fn in_transaction(&self) -> bool {
        !self.conn.is_autocommit()
    }

    pub(crate) fn routing_version(&mut self) -> Result<Option<i64>> {
        self.first_row(ENDPOINT_ROUTING_VERSION, &[], |row| row.get(0))
    }

    pub(crate) fn routing_endpoints(&mut self) -> Result<Vec<RoutingRow>> {
        self.rows(ENDPOINT_ROUTING, &[], RoutingRow::from_sqlite)
    }

    /// Inserts the events, skipping those whose idempotency key is taken;
    /// returns the ids inserted.
    pub(crate) fn insert_events(&mut self, events: &[&Event]) -> Result<HashSet<String>> {
        let mut inserted = HashSet::with_capacity(events.len());
        for chunk in events.chunks(ROWS_PER_STATEMENT) {
            inserted.extend(self.column::<String>(dynamic::insert_events(chunk))?);
        }
        Ok(inserted)
    }

    /// The event stored under idempotency key `key` and its deliveries.
    pub(crate) fn existing_dispatch(&mut self, key: &str) -> Result<Option<(String, Vec<String>)>> {
        let Some(event_id) =
            self.first_row(EVENT_BY_IDEMPOTENCY_KEY, &[Value::from(key)], |row| {
                row.get::<_, String>(0)
            })?
        else {
            return Ok(None);
        };
        let delivery_ids = self.rows(
            DELIVERY_IDS_OF_DISPATCH,
            &[Value::from(event_id.as_str())],
            |row| row.get(0),
        )?;
        Ok(Some((event_id, delivery_ids)))
    }

    pub(crate) fn insert_deliveries(&mut self, deliveries: &[NewDelivery<'_>]) -> Result<()> {
        for chunk in deliveries.chunks(ROWS_PER_STATEMENT) {
            self.execute(dynamic::insert_deliveries(chunk))?;
        }
        Ok(())
    }

    /// Appends the attempts and moves the deliveries whose lease still
    /// holds; returns the ids that moved.
    pub(crate) fn record_attempts(
        &mut self,
        results: &[&AttemptResult],
        now: i64,
    ) -> Result<HashSet<String>> {
        let mut moved = HashSet::with_capacity(results.len());
        for chunk in results.chunks(ROWS_PER_STATEMENT) {
            self.execute(dynamic::insert_attempts(chunk))?;
            moved.extend(self.column::<String>(dynamic::move_deliveries(chunk, now))?);
        }
        Ok(moved)
    }

    /// (endpoint, key) of the unfinished deliveries of these ordering keys.
    pub(crate) fn unfinished_ordering_keys(
        &mut self,
        keys: &[&str],
    ) -> Result<Vec<(String, String)>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let (sql, values) = dynamic::unfinished_ordering_keys(keys).into_positional();
        self.rows(&sql, &values, |row| Ok((row.get(0)?, row.get(1)?)))
    }

    pub(crate) fn reset_failures(&mut self, endpoint_ids: &[&str]) -> Result<()> {
        self.execute(dynamic::reset_failures(endpoint_ids))?;
        Ok(())
    }

    /// Counts a failure; the endpoint's count after it, `None` if the
    /// endpoint is gone.
    pub(crate) fn count_failure(&mut self, endpoint_id: &str) -> Result<Option<i64>> {
        self.first_row(ENDPOINT_COUNT_FAILURE, &[Value::from(endpoint_id)], |row| {
            row.get(0)
        })
    }

    /// Disables an active endpoint; whether this call disabled it.
    pub(crate) fn auto_disable(
        &mut self,
        endpoint_id: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool> {
        let values = [reason.into(), now.into(), endpoint_id.into()];
        Ok(self.run(ENDPOINT_AUTO_DISABLE, &values)? == 1)
    }

    pub(crate) fn write_probe(&mut self, ballast: &[u8], now: i64) -> Result<()> {
        self.run(PROBE_WRITE, &[now.into(), ballast.into()])?;
        Ok(())
    }

    /// Makes the head of ordering key `key` at `endpoint` due if it is held.
    pub(crate) fn release_ordered_head(
        &mut self,
        endpoint: &str,
        key: &str,
        now: i64,
    ) -> Result<u64> {
        let values = [
            endpoint.into(),
            key.into(),
            now.into(),
            HELD_FOR_ORDERING.into(),
        ];
        let released = self.run(RELEASE_ORDERED_HEAD, &values)?;
        Ok(u64::try_from(released).unwrap_or(u64::MAX))
    }

    /// Leases due deliveries: picks the endpoints to lease from, reads
    /// each one's share in its pending index's order, takes the earliest
    /// across them, and writes their leases by id. Runs outside a
    /// transaction: the caller holds the write turn, so nothing writes
    /// between the reads and the lease. Several simple statements cost
    /// less than one that ranks every endpoint's deliveries in temporary
    /// B-trees and reads the leased rows back (docs/benchmarks.md).
    pub(crate) fn claim(
        &mut self,
        statements: &ClaimStatements,
        arguments: &ClaimArguments,
    ) -> Result<Vec<ClaimedRow>> {
        let endpoints: Vec<(String, i64)> =
            self.rows(statements.endpoints, &arguments.values, |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?;
        let limit = arguments.limit;
        let mut picked: Vec<(i64, ClaimedRow)> = Vec::new();
        for (endpoint, room) in endpoints {
            let share = [endpoint.into(), arguments.now(), room.min(limit).into()];
            picked.extend(self.rows(statements.due, &share, |row| {
                Ok((row.get("next_attempt_at")?, ClaimedRow::from_sqlite(row)?))
            })?);
        }
        if picked.is_empty() {
            return Ok(Vec::new());
        }
        // The earliest due first, whichever endpoint they belong to.
        picked.sort_by_key(|(due, _)| *due);
        picked.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let ids: Vec<&str> = picked.iter().map(|(_, row)| row.id()).collect();
        let ids = serde_json::to_string(&ids).expect("a list of strings always serialises");
        let lease = arguments.lease_with(ids);
        let leased = self.run(statements.lease, &lease)?;
        // Nothing else writes while the caller holds the write turn.
        if leased != picked.len() {
            return Err(rusqlite::Error::StatementChangedRows(leased));
        }
        Ok(picked.into_iter().map(|(_, row)| row).collect())
    }

    /// Runs an assembled statement; the rows it changed.
    fn execute(&mut self, statement: Statement) -> Result<usize> {
        let (sql, values) = statement.into_positional();
        self.run(&sql, &values)
    }

    /// Runs an assembled statement; the first column of every row.
    fn column<T: FromSql>(&mut self, statement: Statement) -> Result<Vec<T>> {
        let (sql, values) = statement.into_positional();
        self.rows(&sql, &values, |row| row.get(0))
    }

    /// Runs `sql` with `values`; the rows it changed.
    fn run(&mut self, sql: &str, values: &[Value]) -> Result<usize> {
        let mut statement = self.conn.prepare_cached(sql)?;
        bind(&mut statement, values)?;
        statement.raw_execute()
    }

    /// Runs `sql` with `values`; every row, as `read` reads it.
    fn rows<T>(
        &mut self,
        sql: &str,
        values: &[Value],
        mut read: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut statement = self.conn.prepare_cached(sql)?;
        bind(&mut statement, values)?;
        let mut rows = statement.raw_query();
        let mut read_rows = Vec::new();
        while let Some(row) = rows.next()? {
            read_rows.push(read(row)?);
        }
        Ok(read_rows)
    }

    /// Runs `sql` with `values`; its first row, if any, as `read` reads it.
    fn first_row<T>(
        &mut self,
        sql: &str,
        values: &[Value],
        read: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut statement = self.conn.prepare_cached(sql)?;
        bind(&mut statement, values)?;
        let mut rows = statement.raw_query();
        rows.next()?.map(read).transpose()
    }
}

/// The values of a SQLite claim's numbered parameters (`claim.sql`), owned
/// so that they can go to the writer thread.
pub(crate) struct ClaimArguments {
    values: Vec<Value>,
    /// The most deliveries the claim takes, `$5`.
    limit: i64,
}

/// The statements of a claim on the writer thread (see `claim`).
pub(crate) struct ClaimStatements {
    /// The endpoints to lease from, with each one's room.
    pub endpoints: &'static str,
    /// One endpoint's due deliveries, earliest first.
    pub due: &'static str,
    /// The leases of the deliveries picked, by id.
    pub lease: &'static str,
}

impl ClaimArguments {
    pub(crate) fn new(lease: &Lease<'_>, limit: usize, room: &EndpointRoom<'_>) -> Self {
        let excluded =
            serde_json::to_string(room.excluded).expect("a list of strings always serialises");
        let rows_per_endpoint = EndpointRoom::rows_per_endpoint(limit);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let values = vec![
            lease.owner.into(),
            lease.token.into(),
            lease.until.into(),
            lease.now.into(),
            limit.into(),
            excluded.into(),
            room.room_json().into(),
            i64::try_from(room.default_limit).unwrap_or(i64::MAX).into(),
            rows_per_endpoint.into(),
            i64::try_from(room.prefetch_factor).unwrap_or(1).into(),
        ];
        ClaimArguments { values, limit }
    }

    /// The claim's time, `$4`.
    fn now(&self) -> Value {
        self.values[3].clone()
    }

    /// The lease's values (`lease_by_id.sql`): owner, token, expiry and
    /// time, then the ids leased.
    fn lease_with(&self, ids: String) -> [Value; 5] {
        [
            self.values[0].clone(),
            self.values[1].clone(),
            self.values[2].clone(),
            self.values[3].clone(),
            ids.into(),
        ]
    }

    /// The same values as sqlx's arguments, for a database that only sqlx
    /// reaches (one in memory).
    pub(crate) fn into_sqlx(self) -> SqliteArguments<'static> {
        let mut arguments = SqliteArguments::default();
        for value in self.values {
            let added = match value {
                Value::Int(value) => arguments.add(value),
                Value::Text(value) => arguments.add(value),
                Value::Bytes(value) => arguments.add(value),
                Value::Bool(value) => arguments.add(value),
            };
            added.expect("SQLite encodes integers, text, bytes and booleans");
        }
        arguments
    }
}

/// Binds `values` to the statement's parameters. A numbered parameter
/// (`$2`, `?2`) takes the value of its number, as sqlx binds them, since
/// the statement files number theirs and may use one twice; an anonymous
/// `?` takes the next.
fn bind(statement: &mut Prepared<'_>, values: &[Value]) -> Result<()> {
    for index in 1..=statement.parameter_count() {
        let number = statement
            .parameter_name(index)
            .and_then(|name| name.get(1..))
            .and_then(|digits| digits.parse::<usize>().ok())
            .unwrap_or(index);
        let value = number
            .checked_sub(1)
            .and_then(|at| values.get(at))
            .ok_or(rusqlite::Error::InvalidParameterCount(number, values.len()))?;
        match value {
            Value::Int(value) => statement.raw_bind_parameter(index, value)?,
            Value::Text(value) => statement.raw_bind_parameter(index, value)?,
            Value::Bytes(value) => statement.raw_bind_parameter(index, value)?,
            Value::Bool(value) => statement.raw_bind_parameter(index, value)?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use sqlx::Connection as _;
    use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

    use super::*;
    use crate::store::StoreError;
    use crate::store::sqlite::MIGRATOR;

    #[test]
    fn numbered_parameters_take_the_value_of_their_number() {
        let conn = Connection::open_in_memory().unwrap();
        let values = [Value::from("a"), Value::from("b"), Value::from(3i64)];
        for (sql, expected) in [
            ("SELECT $2 || $1 || $3 || $1", "ba3a"),
            ("SELECT ? || ? || ?", "ab3"),
        ] {
            let mut statement = conn.prepare(sql).unwrap();
            bind(&mut statement, &values).unwrap();
            let answer: String = statement
                .raw_query()
                .next()
                .unwrap()
                .unwrap()
                .get(0)
                .unwrap();
            assert_eq!(answer, expected, "{sql}");
        }
        let mut statement = conn.prepare("SELECT $4").unwrap();
        assert!(bind(&mut statement, &values).is_err());
    }

    /// A freshly migrated database file, opened directly.
    async fn migrated(dir: &tempfile::TempDir) -> DirectSqlite {
        let path = dir.path().join("direct.db");
        let url = format!("sqlite://{}", path.display());
        let options = SqliteConnectOptions::from_str(&url)
            .unwrap()
            .create_if_missing(true);
        let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
        MIGRATOR.run(&mut conn).await.unwrap();
        conn.close().await.unwrap();
        DirectSqlite::open(&path, &[], Duration::from_secs(1)).unwrap()
    }

    /// SQLite rolls a transaction back itself when the disk fills; the
    /// batch's error then says so, no transaction stays open, and the next
    /// batch commits once there is room.
    #[tokio::test]
    async fn a_batch_refused_for_a_full_disk_leaves_no_transaction_open() {
        let dir = tempfile::tempdir().unwrap();
        let mut direct = migrated(&dir).await;
        let pages: i64 = direct
            .conn
            .query_row("PRAGMA page_count", [], |row| row.get(0))
            .unwrap();
        // Room for a few pages, not for the ballast.
        direct
            .conn
            .query_row(
                &format!("PRAGMA max_page_count = {}", pages + 4),
                [],
                |_| Ok(()),
            )
            .unwrap();
        let ballast = vec![7u8; 256 * 1024];
        let refused = direct
            .transaction(|conn| conn.write_probe(&ballast, 1).map_err(StoreError::from))
            .unwrap_err();
        assert!(
            refused.is_transient() && refused.to_string().contains("(code: 13)"),
            "{refused}"
        );
        assert!(!direct.in_transaction());

        direct
            .conn
            .query_row("PRAGMA max_page_count = 1000000", [], |_| Ok(()))
            .unwrap();
        direct
            .transaction(|conn| conn.write_probe(&ballast, 2).map_err(StoreError::from))
            .unwrap();
        let probed: i64 = direct
            .conn
            .query_row("SELECT probed_at FROM store_probes", [], |row| row.get(0))
            .unwrap();
        assert_eq!(probed, 2);
    }

    /// A batch that fails part-way leaves nothing of it behind.
    #[tokio::test]
    async fn a_failed_batch_is_rolled_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut direct = migrated(&dir).await;
        let failed: std::result::Result<(), StoreError> = direct.transaction(|conn| {
            conn.write_probe(b"ballast", 1)?;
            Err(StoreError::Internal("the batch failed".to_owned()))
        });
        assert!(failed.is_err());
        assert!(!direct.in_transaction());
        let probes: i64 = direct
            .conn
            .query_row("SELECT count(*) FROM store_probes", [], |row| row.get(0))
            .unwrap();
        assert_eq!(probes, 0);
    }
}
