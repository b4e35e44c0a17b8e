//! What the database statements of a delivery cost under other table
//! layouts than webhookd's, before anyone rewrites the store for one. It
//! replays the writes of a flood (events and deliveries inserted in
//! batches, claimed, their successes and attempts recorded) with webhookd's
//! own statement texts against a SQLite file made by webhookd's migrations,
//! with webhookd's connection settings and checkpoints beside the writer,
//! and reports the CPU time and the log pages written per delivery. See
//! docs/benchmarks.md, "Other table layouts, on the statements alone".
//!
//! ```text
//! cargo run --release --example store_layout -- --queue memory --backlog 30000
//! ```
//!
//! Two things vary. `--queue`, how deliveries wait and are leased:
//! - `claims` (default): webhookd's claim statement leases them in the
//!   deliveries table, as it does for a backlog;
//! - `fresh`: each is inserted already leased, as webhookd does when its
//!   endpoint has room (no claim statement);
//! - `memory`: no lease is written; the queue would be held in memory and
//!   rebuilt from the pending rows at start;
//! - `hot-table`: a small table of the deliveries waiting or in flight,
//!   apart from the history; claims lease its rows, a success deletes its
//!   row and moves the delivery in the history.
//!
//! `--schema`, the tables under it:
//! - `webhookd` (default): webhookd's migrations as they are;
//! - `no-claim-indexes`: without the two indexes that only claims read;
//! - `fewer-btrees`: deliveries clustered by their id (`WITHOUT ROWID`,
//!   no separate key index), attempts without `AUTOINCREMENT`'s counter
//!   table, and no index entries for events without an idempotency key.
//!
//! `--backlog N` first stores N pending deliveries, which the run's claims
//! take first, as in a backlog drain.
//!
//! `--driver direct` (SQLite only) runs the writer's statements through
//! rusqlite on the replaying thread instead of through sqlx, which hands
//! every statement to a thread of its connection and back: the same
//! statements and settings, without the hand-offs. See "sqlx's connection
//! thread" in docs/benchmarks.md. `--pause-us N` pauses after each batch,
//! so that the threads go idle between batches as at an ordinary rate.
//!
//! With `--database-url postgres://…` (a server it may create databases
//! on) the same writes go to a new PostgreSQL database made by webhookd's
//! PostgreSQL migrations, with that backend's claim; the CPU then includes
//! every `postgres` process of the machine, and the log is PostgreSQL's
//! WAL, reported in bytes. Only `--schema webhookd` applies there.

use std::collections::VecDeque;
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use sqlx::postgres::{PgArguments, PgConnectOptions};
use sqlx::sqlite::{SqliteArguments, SqliteConnectOptions};
use sqlx::{Arguments, Connection, PgConnection, SqliteConnection};

const SQLITE_QUEUED_ENDPOINTS: &str =
    include_str!("../src/store/queries/sqlite/queued_endpoints.sql");
/// The claim as webhookd's sqlx path assembles it (`CLAIM` in
/// `src/store/sqlite.rs`), less `queued_endpoints.sql` before it.
const SQLITE_CLAIM: &str = concat!(
    ",\npicked (id, room) AS (\n",
    include_str!("../src/store/queries/sqlite/claim_endpoints.sql"),
    ")\n",
    include_str!("../src/store/queries/sqlite/claim.sql")
);
const SQLITE_LEASED: &str = include_str!("../src/store/queries/delivery_leased.sql");
const POSTGRES_QUEUED_ENDPOINTS: &str =
    include_str!("../src/store/queries/postgres/queued_endpoints.sql");
const POSTGRES_CLAIM: &str = include_str!("../src/store/queries/postgres/claim.sql");
const POSTGRES_STALE_STATISTICS: &str =
    include_str!("../src/store/queries/postgres/stale_statistics.sql");
const EVENT_INSERT: &str = include_str!("../src/store/queries/event_insert.sql");
const DELIVERY_INSERT: &str = include_str!("../src/store/queries/delivery_insert.sql");
const ATTEMPT_INSERT: &str = include_str!("../src/store/queries/attempt_insert.sql");
const DELIVERY_MOVE: &str = include_str!("../src/store/queries/delivery_move.sql");
const DELIVERY_MOVE_RETURNING: &str =
    include_str!("../src/store/queries/delivery_move_returning.sql");
const RESET_FAILURES: &str = include_str!("../src/store/queries/endpoint_reset_failures.sql");

#[derive(Clone, Copy, PartialEq, Debug)]
enum Queue {
    Claims,
    Fresh,
    Memory,
    HotTable,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Schema {
    Webhookd,
    NoClaimIndexes,
    FewerBtrees,
}

struct Options {
    queue: Queue,
    schema: Schema,
    rounds: usize,
    batch: usize,
    payload: usize,
    checkpoint_every: usize,
    backlog: usize,
    /// A PostgreSQL server to run on instead of a SQLite file.
    postgres: Option<String>,
    /// SQLite's writer through rusqlite on the replaying thread, not
    /// through sqlx's connection thread.
    direct: bool,
    /// A pause after each batch, so that threads go idle between batches
    /// as at an ordinary rate.
    pause: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            queue: Queue::Claims,
            schema: Schema::Webhookd,
            rounds: 2000,
            batch: 32,
            payload: 500,
            checkpoint_every: 20,
            backlog: 0,
            postgres: None,
            direct: false,
            pause: Duration::ZERO,
        }
    }
}

const USAGE: &str = "\
Replays a flood's database writes with webhookd's statements; prints the CPU
and the log written per delivery. See docs/benchmarks.md.

Usage: store_layout [OPTIONS]

  --queue claims|fresh|memory|hot-table             how deliveries wait (claims)
  --schema webhookd|no-claim-indexes|fewer-btrees   the tables (webhookd; SQLite only)
  --batch N                                         dispatches and successes per transaction (32)
  --rounds N                                        transactions (2000)
  --backlog N                                       pending deliveries stored first (0)
  --payload N                                       payload bytes per event (500)
  --checkpoint-every N                              transactions between checkpoints (20)
  --database-url URL                                a PostgreSQL server instead of a SQLite file
  --driver sqlx|direct                              SQLite's writer through sqlx or rusqlite (sqlx)
  --pause-us N                                      pause after each transaction, in µs (0)
";

fn options(mut args: impl Iterator<Item = String>) -> Result<Options> {
    let mut options = Options::default();
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--queue" => {
                options.queue = match value.as_str() {
                    "claims" => Queue::Claims,
                    "fresh" => Queue::Fresh,
                    "memory" => Queue::Memory,
                    "hot-table" => Queue::HotTable,
                    other => bail!("--queue: unknown queue {other}"),
                }
            }
            "--schema" => {
                options.schema = match value.as_str() {
                    "webhookd" => Schema::Webhookd,
                    "no-claim-indexes" => Schema::NoClaimIndexes,
                    "fewer-btrees" => Schema::FewerBtrees,
                    other => bail!("--schema: unknown schema {other}"),
                }
            }
            "--rounds" => options.rounds = value.parse().context("--rounds")?,
            "--batch" => options.batch = value.parse().context("--batch")?,
            "--backlog" => options.backlog = value.parse().context("--backlog")?,
            "--payload" => options.payload = value.parse().context("--payload")?,
            "--checkpoint-every" => {
                options.checkpoint_every = value.parse().context("--checkpoint-every")?
            }
            "--database-url" => options.postgres = Some(value),
            "--pause-us" => {
                options.pause = Duration::from_micros(value.parse().context("--pause-us")?)
            }
            "--driver" => {
                options.direct = match value.as_str() {
                    "sqlx" => false,
                    "direct" => true,
                    other => bail!("--driver: unknown driver {other}"),
                }
            }
            other => bail!("unknown flag {other}"),
        }
    }
    if options.schema == Schema::NoClaimIndexes && options.queue != Queue::Memory {
        bail!("--schema no-claim-indexes needs --queue memory: claims read those indexes");
    }
    if options.postgres.is_some() && options.direct {
        bail!("--driver direct: SQLite only; PostgreSQL runs through sqlx");
    }
    if options.postgres.is_some() && options.schema != Schema::Webhookd {
        bail!("--schema: only webhookd's schema is laid out for PostgreSQL");
    }
    Ok(options)
}

/// CPU time of a process so far, all its threads (sqlx runs each SQLite
/// connection on a thread of its own).
fn process_cpu(pid: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split(' ').collect();
    let ticks: u64 = fields[11].parse::<u64>().ok()? + fields[12].parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// This process's CPU time, and on PostgreSQL every `postgres` process's.
fn cpu_so_far(postgres: bool) -> Result<Duration> {
    let mut cpu = process_cpu("self").context("reading /proc/self/stat")?;
    if postgres {
        for entry in std::fs::read_dir("/proc")? {
            let pid = entry?.file_name().to_string_lossy().into_owned();
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            if comm.trim() == "postgres" {
                cpu += process_cpu(&pid).unwrap_or_default();
            }
        }
    }
    Ok(cpu)
}

/// One bound value.
#[derive(Clone)]
enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Bytes(Vec<u8>),
    Texts(Vec<String>),
    Float(f64),
}

/// SQL text with its values, placeholders written for the backend.
struct Sql {
    text: String,
    values: Vec<Value>,
    /// PostgreSQL's `$1`, not SQLite's `?`.
    numbered: bool,
}

impl Sql {
    fn new(numbered: bool, text: &str) -> Self {
        Sql {
            text: text.to_owned(),
            values: Vec::new(),
            numbered,
        }
    }

    fn push(mut self, text: &str) -> Self {
        self.text.push_str(text);
        self
    }

    fn bind(mut self, value: Value) -> Self {
        self.values.push(value);
        if self.numbered {
            self.text.push_str(&format!("${}", self.values.len()));
        } else {
            self.text.push('?');
        }
        self
    }

    /// Appends `(…), (…)`: one tuple of values per row.
    fn rows(mut self, rows: Vec<Vec<Value>>) -> Self {
        for (index, row) in rows.into_iter().enumerate() {
            self = self.push(if index == 0 { "(" } else { ", (" });
            for (column, value) in row.into_iter().enumerate() {
                if column > 0 {
                    self = self.push(", ");
                }
                self = self.bind(value);
            }
            self = self.push(")");
        }
        self
    }
}

fn text(value: &str) -> Value {
    Value::Text(Some(value.to_owned()))
}

fn int(value: i64) -> Value {
    Value::Int(Some(value))
}

/// A list as SQLite's claim reads it (its endpoints to skip): a JSON array.
fn sqlite_list(values: &[String]) -> serde_json::Result<String> {
    serde_json::to_string(values)
}

fn sqlite_arguments(values: Vec<Value>) -> Result<SqliteArguments<'static>> {
    let mut arguments = SqliteArguments::default();
    for value in values {
        match value {
            Value::Int(value) => arguments.add(value),
            Value::Text(value) => arguments.add(value),
            Value::Bytes(value) => arguments.add(value),
            Value::Texts(value) => arguments.add(sqlite_list(&value)?),
            Value::Float(value) => arguments.add(value),
        }
        .map_err(|error| anyhow!(error))?;
    }
    Ok(arguments)
}

fn postgres_arguments(values: Vec<Value>) -> Result<PgArguments> {
    let mut arguments = PgArguments::default();
    for value in values {
        match value {
            Value::Int(value) => arguments.add(value),
            Value::Text(value) => arguments.add(value),
            Value::Bytes(value) => arguments.add(value),
            Value::Texts(value) => arguments.add(value),
            Value::Float(value) => arguments.add(value),
        }
        .map_err(|error| anyhow!(error))?;
    }
    Ok(arguments)
}

/// The connection the replay writes through.
enum Conn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
    /// SQLite through rusqlite on the calling thread: no hand-off to a
    /// connection thread per statement.
    Direct(direct::Connection),
}

impl Conn {
    fn numbered(&self) -> bool {
        matches!(self, Conn::Postgres(_))
    }

    fn sql(&self, text: &str) -> Sql {
        Sql::new(self.numbered(), text)
    }

    async fn execute(&mut self, sql: Sql) -> Result<u64> {
        Ok(match self {
            Conn::Sqlite(conn) => sqlx::query_with(&sql.text, sqlite_arguments(sql.values)?)
                .execute(&mut *conn)
                .await?
                .rows_affected(),
            Conn::Postgres(conn) => sqlx::query_with(&sql.text, postgres_arguments(sql.values)?)
                .execute(&mut *conn)
                .await?
                .rows_affected(),
            Conn::Direct(conn) => conn.execute(&sql.text, &sql.values)?,
        })
    }

    /// The first column of every row, as text.
    async fn fetch_first(&mut self, sql: Sql) -> Result<Vec<String>> {
        Ok(match self {
            Conn::Sqlite(conn) => {
                sqlx::query_scalar_with(&sql.text, sqlite_arguments(sql.values)?)
                    .fetch_all(&mut *conn)
                    .await?
            }
            Conn::Postgres(conn) => {
                sqlx::query_scalar_with(&sql.text, postgres_arguments(sql.values)?)
                    .fetch_all(&mut *conn)
                    .await?
            }
            Conn::Direct(conn) => conn.fetch_first(&sql.text, &sql.values)?,
        })
    }

    async fn run(&mut self, text: &str) -> Result<()> {
        match self {
            Conn::Sqlite(conn) => {
                sqlx::raw_sql(text).execute(&mut *conn).await?;
            }
            Conn::Postgres(conn) => {
                sqlx::raw_sql(text).execute(&mut *conn).await?;
            }
            Conn::Direct(conn) => conn.run(text)?,
        }
        Ok(())
    }
}

/// A connection with webhookd's SQLite settings (src/store/sqlite.rs).
async fn connect_sqlite(url: &str, mmap: bool) -> Result<SqliteConnection> {
    let mut options = SqliteConnectOptions::from_str(url)?.create_if_missing(true);
    for (name, value) in SQLITE_SETTINGS {
        options = options.pragma(name, value);
    }
    if mmap {
        options = options.pragma(WRITER_MMAP.0, WRITER_MMAP.1);
    }
    Ok(SqliteConnection::connect_with(&options).await?)
}

/// webhookd's SQLite connection settings (src/store/sqlite.rs).
const SQLITE_SETTINGS: [(&str, &str); 5] = [
    ("journal_mode", "WAL"),
    ("synchronous", "NORMAL"),
    ("foreign_keys", "ON"),
    ("cache_size", "-32768"),
    ("wal_autocheckpoint", "4000"),
];

/// The writer reads the file through a memory map, as webhookd's does.
const WRITER_MMAP: (&str, &str) = ("mmap_size", "268435456");

/// The settings of the writer's connection as statements, for rusqlite,
/// with sqlx's default wait on a locked database (5 s).
fn direct_settings() -> String {
    SQLITE_SETTINGS
        .iter()
        .chain([&WRITER_MMAP, &("busy_timeout", "5000")])
        .map(|(name, value)| format!("PRAGMA {name} = {value};"))
        .collect()
}

/// The tables of `fewer-btrees`: webhookd's columns, fewer trees per row.
const FEWER_BTREES: &str = "
PRAGMA foreign_keys = OFF;
DROP TABLE attempts;
DROP TABLE deliveries;
DROP TABLE events;
CREATE TABLE events (
    id TEXT PRIMARY KEY, event_type TEXT NOT NULL, payload BLOB NOT NULL,
    idempotency_key TEXT, created_at INTEGER NOT NULL, ordering_key TEXT,
    traceparent TEXT, tracestate TEXT
);
CREATE UNIQUE INDEX events_idempotency_key ON events (idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX events_created_at ON events (created_at);
CREATE TABLE deliveries (
    id TEXT PRIMARY KEY, event_id TEXT NOT NULL REFERENCES events (id),
    endpoint_id TEXT NOT NULL REFERENCES endpoints (id), state TEXT NOT NULL,
    attempt_count INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL,
    lease_owner TEXT, lease_token TEXT, leased_until INTEGER, last_error TEXT,
    cycle_start INTEGER NOT NULL DEFAULT 0, replay_of TEXT,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, ordering_key TEXT
) WITHOUT ROWID;
CREATE INDEX deliveries_leases ON deliveries (leased_until) WHERE state = 'in_flight';
CREATE INDEX deliveries_event ON deliveries (event_id);
CREATE INDEX deliveries_endpoint_state ON deliveries (endpoint_id, state);
CREATE INDEX deliveries_pending ON deliveries (endpoint_id, next_attempt_at) WHERE state = 'pending';
CREATE INDEX deliveries_ordering ON deliveries (endpoint_id, ordering_key)
    WHERE ordering_key IS NOT NULL AND state IN ('pending', 'in_flight');
CREATE TABLE attempts (
    id INTEGER PRIMARY KEY, delivery_id TEXT NOT NULL REFERENCES deliveries (id),
    attempt_number INTEGER NOT NULL, started_at INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL, http_status INTEGER, error_kind TEXT,
    error_message TEXT, response_excerpt TEXT, instance_id TEXT
);
CREATE INDEX attempts_delivery ON attempts (delivery_id);
CREATE INDEX attempts_started_at ON attempts (started_at);
PRAGMA foreign_keys = ON;
";

/// The hot queue beside the history. `table_options`: SQLite keeps a small
/// table keyed by text best clustered (`WITHOUT ROWID`); PostgreSQL's
/// tables are heaps.
fn hot_table(table_options: &str) -> String {
    format!(
        "
DROP INDEX deliveries_pending;
DROP INDEX deliveries_leases;
CREATE TABLE queue (
    delivery_id     TEXT PRIMARY KEY,
    endpoint_id     TEXT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_token     TEXT,
    leased_until    BIGINT
){table_options};
CREATE INDEX queue_due ON queue (endpoint_id, next_attempt_at) WHERE lease_token IS NULL;
CREATE INDEX queue_leases ON queue (leased_until) WHERE lease_token IS NOT NULL;
"
    )
}

const ENDPOINT: &str =
    "INSERT INTO endpoints (id, url, event_patterns, origin, created_at, updated_at, max_concurrent)
     VALUES ('ep_1', 'http://127.0.0.1:1/', '[\"*\"]', 'api', 0, 0, 1000000)";

async fn prepare(conn: &mut Conn, options: &Options) -> Result<()> {
    match conn {
        Conn::Sqlite(sqlite) => {
            sqlx::migrate!("./migrations/sqlite")
                .run(&mut *sqlite)
                .await?;
        }
        Conn::Postgres(postgres) => {
            sqlx::migrate!("./migrations/postgres")
                .run(&mut *postgres)
                .await?;
        }
        Conn::Direct(_) => bail!("the schema is made through sqlx, before the direct writer opens"),
    }
    conn.run(ENDPOINT).await?;
    match options.schema {
        Schema::Webhookd => {}
        Schema::NoClaimIndexes => {
            conn.run("DROP INDEX deliveries_pending; DROP INDEX deliveries_leases;")
                .await?
        }
        Schema::FewerBtrees => conn.run(FEWER_BTREES).await?,
    }
    if options.queue == Queue::HotTable {
        let table_options = match conn {
            Conn::Sqlite(_) | Conn::Direct(_) => " WITHOUT ROWID",
            Conn::Postgres(_) => "",
        };
        conn.run(&hot_table(table_options)).await?;
    }
    Ok(())
}

/// A delivery this run dispatched, and the token of its lease (empty
/// without one).
type Leased = (String, String);

/// One round's dispatches and the previous round's successes, in one
/// transaction, as webhookd's writer batches them. `leased`: the
/// dispatches are inserted already leased.
async fn write_batch(
    conn: &mut Conn,
    options: &Options,
    dispatched: &[String],
    leased: bool,
    finished: &[Leased],
    payload: &[u8],
    now: i64,
) -> Result<()> {
    conn.run("BEGIN").await?;
    // A partial unique index is a conflict target only with its condition.
    let target = match options.schema {
        Schema::FewerBtrees => " ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL",
        Schema::Webhookd | Schema::NoClaimIndexes => " ON CONFLICT (idempotency_key)",
    };
    let events = dispatched
        .iter()
        .map(|id| {
            vec![
                text(&format!("evt_{id}")),
                text("order.created"),
                Value::Bytes(payload.to_vec()),
                Value::Text(None),
                int(now),
                Value::Text(None),
                Value::Text(None),
                Value::Text(None),
            ]
        })
        .collect();
    let sql = conn
        .sql(EVENT_INSERT)
        .push(" VALUES ")
        .rows(events)
        .push(target)
        .push(" DO NOTHING RETURNING id");
    conn.fetch_first(sql).await?;
    let deliveries = dispatched
        .iter()
        .map(|id| {
            vec![
                text(&format!("dlv_{id}")),
                text(&format!("evt_{id}")),
                text("ep_1"),
                text(if leased { "in_flight" } else { "pending" }),
                int(now),
                int(now),
                int(now),
                Value::Text(None),
                Value::Text(leased.then(|| "instance-1".to_owned())),
                Value::Text(leased.then(|| format!("token_{id}"))),
                Value::Int(leased.then_some(now + 60_000)),
            ]
        })
        .collect();
    let sql = conn.sql(DELIVERY_INSERT).push(" VALUES ").rows(deliveries);
    conn.execute(sql).await?;
    if options.queue == Queue::HotTable {
        let rows = dispatched
            .iter()
            .map(|id| vec![text(&format!("dlv_{id}")), text("ep_1"), int(now)])
            .collect();
        let sql = conn
            .sql("INSERT INTO queue (delivery_id, endpoint_id, next_attempt_at) VALUES ")
            .rows(rows);
        conn.execute(sql).await?;
    }
    if !finished.is_empty() {
        record_successes(conn, options.queue, finished, now).await?;
    }
    conn.run("COMMIT").await?;
    Ok(())
}

/// Appends an attempt for each and moves it to `succeeded`, as webhookd's
/// attempt_insert.sql and delivery_move.sql do; a lease written is the
/// move's fence.
async fn record_successes(
    conn: &mut Conn,
    queue: Queue,
    finished: &[Leased],
    now: i64,
) -> Result<()> {
    let attempts = finished
        .iter()
        .map(|(id, _)| {
            vec![
                text(id),
                int(1),
                int(now),
                int(1),
                int(200),
                Value::Text(None),
                Value::Text(None),
                Value::Text(None),
                text("instance-1"),
            ]
        })
        .collect();
    let sql = conn.sql(ATTEMPT_INSERT).push(" VALUES ").rows(attempts);
    conn.execute(sql).await?;
    // webhookd's move, fenced by the lease where one was written.
    let fence = match queue {
        Queue::Claims | Queue::Fresh => DELIVERY_MOVE_RETURNING,
        Queue::Memory => {
            "FROM moves WHERE deliveries.id = moves.id AND deliveries.state = 'pending'
             RETURNING deliveries.id"
        }
        Queue::HotTable => {
            "FROM moves WHERE deliveries.id = moves.id AND EXISTS (
                 SELECT 1 FROM queue
                 WHERE queue.delivery_id = moves.id AND queue.lease_token = moves.lease_token)
             RETURNING deliveries.id"
        }
    };
    let moves = finished
        .iter()
        .map(|(id, token)| {
            vec![
                text(id),
                text(token),
                text("succeeded"),
                int(1),
                Value::Int(None),
                Value::Text(None),
            ]
        })
        .collect();
    let sql = conn
        .sql("WITH moves (id, lease_token, state, attempt_count, retry_at, last_error) AS (VALUES ")
        .rows(moves)
        .push(") ")
        .push(DELIVERY_MOVE.trim_end())
        .push(" ")
        .bind(int(now))
        .push(" ")
        .push(fence);
    let moved = conn.fetch_first(sql).await?;
    if moved.len() != finished.len() {
        bail!("moved {} of {}", moved.len(), finished.len());
    }
    if queue == Queue::HotTable {
        let ids = finished.iter().map(|(id, _)| text(id)).collect();
        let sql = conn
            .sql("DELETE FROM queue WHERE delivery_id IN ")
            .rows(vec![ids]);
        conn.execute(sql).await?;
    }
    let sql = conn
        .sql(RESET_FAILURES.trim_end())
        .push(" ")
        .rows(vec![vec![text("ep_1")]]);
    conn.execute(sql).await?;
    Ok(())
}

/// Leases up to `limit` due deliveries and reads them back with their event
/// and endpoint.
async fn claim(
    conn: &mut Conn,
    queue: Queue,
    round: usize,
    limit: usize,
    now: i64,
) -> Result<Vec<Leased>> {
    let token = format!("token_{round}");
    let until = now + 60_000 + round as i64;
    let ids = if queue == Queue::HotTable {
        let lock = if conn.numbered() {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = conn
            .sql("UPDATE queue SET lease_token = ")
            .bind(text(&token))
            .push(", leased_until = ")
            .bind(int(until))
            .push(
                " WHERE delivery_id IN (SELECT delivery_id FROM queue
                  WHERE endpoint_id = 'ep_1' AND lease_token IS NULL AND next_attempt_at <= ",
            )
            .bind(int(now))
            .push(" ORDER BY next_attempt_at LIMIT ")
            .bind(int(limit as i64))
            .push(lock)
            .push(")");
        conn.execute(sql).await?;
        let sql = conn
            .sql(
                "SELECT d.id, e.event_type, e.payload, ep.url, ep.secret
                 FROM queue q
                 JOIN deliveries d ON d.id = q.delivery_id
                 JOIN events e ON e.id = d.event_id
                 JOIN endpoints ep ON ep.id = d.endpoint_id
                 WHERE q.lease_token = ",
            )
            .bind(text(&token))
            .push(" AND q.leased_until = ")
            .bind(int(until));
        conn.fetch_first(sql).await?
    } else {
        // Parameters as claim.sql and claim_endpoints.sql document them.
        let parameters = [
            text("instance-1"),
            text(&token),
            int(until),
            int(now),
            int(limit as i64),
            Value::Texts(Vec::new()),
            text("{}"),
            int(1_000_000),
            int(limit as i64),
            int(1),
        ];
        match conn {
            Conn::Sqlite(_) | Conn::Direct(_) => {
                let mut claim = conn.sql(&format!("{SQLITE_QUEUED_ENDPOINTS}{SQLITE_CLAIM}"));
                claim.values = parameters.to_vec();
                conn.execute(claim).await?;
                let mut leased = conn.sql(SQLITE_LEASED);
                leased.values = parameters[..3].to_vec();
                conn.fetch_first(leased).await?
            }
            Conn::Postgres(_) => {
                let mut claim = conn.sql(&format!("{POSTGRES_QUEUED_ENDPOINTS}{POSTGRES_CLAIM}"));
                claim.values = parameters.to_vec();
                conn.fetch_first(claim).await?
            }
        }
    };
    if ids.len() != limit {
        bail!("claimed {} of {limit}", ids.len());
    }
    Ok(ids.into_iter().map(|id| (id, token.clone())).collect())
}

/// Where the replay runs: a SQLite file in a directory of its own, or a new
/// PostgreSQL database, dropped afterwards.
enum Target {
    Sqlite {
        _dir: tempfile::TempDir,
        url: String,
        path: String,
    },
    Postgres {
        server: Box<PgConnectOptions>,
        database: String,
    },
}

impl Target {
    async fn create(options: &Options) -> Result<Self> {
        Ok(match &options.postgres {
            None => {
                let dir = tempfile::tempdir()?;
                let path = dir.path().join("layout.db").display().to_string();
                let url = format!("sqlite://{path}");
                Target::Sqlite {
                    _dir: dir,
                    url,
                    path,
                }
            }
            Some(url) => {
                let server = Box::new(PgConnectOptions::from_str(url)?);
                let database = format!("store_layout_{}", uuid::Uuid::now_v7().simple());
                let mut admin = PgConnection::connect_with(&server).await?;
                sqlx::raw_sql(&format!("CREATE DATABASE {database}"))
                    .execute(&mut admin)
                    .await?;
                admin.close().await?;
                Target::Postgres { server, database }
            }
        })
    }

    /// The writer, and on SQLite a second connection for checkpoints.
    async fn connect(&self) -> Result<(Conn, Option<SqliteConnection>)> {
        Ok(match self {
            Target::Sqlite { url, .. } => (
                Conn::Sqlite(connect_sqlite(url, true).await?),
                Some(connect_sqlite(url, false).await?),
            ),
            Target::Postgres { server, database } => {
                let options = server.clone().database(database);
                (
                    Conn::Postgres(PgConnection::connect_with(&options).await?),
                    None,
                )
            }
        })
    }

    async fn drop(self) -> Result<()> {
        if let Target::Postgres { server, database } = self {
            let mut admin = PgConnection::connect_with(&server).await?;
            sqlx::raw_sql(&format!("DROP DATABASE {database}"))
                .execute(&mut admin)
                .await?;
        }
        Ok(())
    }
}

/// The bytes PostgreSQL's WAL has grown by since the server began.
async fn wal_position(conn: &mut Conn) -> Result<i64> {
    let sql = conn.sql("SELECT ((pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint)::text");
    let position = conn.fetch_first(sql).await?;
    Ok(position.first().context("WAL position")?.parse()?)
}

/// What webhookd's PostgreSQL store does beside the writer at the same
/// cadence (postgres.rs): analyse `deliveries` once it has outgrown its
/// statistics, which would otherwise plan every move over an empty table.
async fn refresh_statistics(conn: &mut Conn) -> Result<()> {
    let mut stale = conn.sql(POSTGRES_STALE_STATISTICS);
    stale.values = vec![
        Value::Texts(vec!["deliveries".to_owned()]),
        int(10_000),
        Value::Float(2.0),
    ];
    if !conn.fetch_first(stale).await?.is_empty() {
        conn.run("ANALYZE deliveries").await?;
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    if std::env::args().any(|arg| arg == "--help" || arg == "-h") {
        print!("{USAGE}");
        return Ok(());
    }
    let options = options(std::env::args().skip(1))?;
    println!("{}", replay(&options).await?);
    Ok(())
}

/// Replays the flood of `options` on a new file or database; returns the
/// report line.
async fn replay(options: &Options) -> Result<String> {
    let target = Target::create(options).await?;
    let report = replay_on(&target, options).await;
    target.drop().await?;
    report
}

async fn replay_on(target: &Target, options: &Options) -> Result<String> {
    let (mut writer, mut checkpointer) = target.connect().await?;
    prepare(&mut writer, options).await?;
    if let (true, Target::Sqlite { path, .. }) = (options.direct, target) {
        let direct = Conn::Direct(direct::Connection::open(path, &direct_settings())?);
        if let Conn::Sqlite(sqlite) = std::mem::replace(&mut writer, direct) {
            sqlite.close().await?;
        }
    }
    let postgres = writer.numbered();
    let payload = vec![b'x'; options.payload];
    let mut sequence = 0u64;
    let mut next_id = || {
        sequence += 1;
        format!("{sequence:020}")
    };
    // The pending deliveries in due order, as an in-memory queue holds them.
    let mut pending: VecDeque<String> = VecDeque::new();
    for _ in (0..options.backlog).step_by(500) {
        let ids: Vec<String> = (0..500).map(|_| next_id()).collect();
        write_batch(&mut writer, options, &ids, false, &[], &payload, 0).await?;
        pending.extend(ids);
    }
    match (&mut checkpointer, &mut writer) {
        (Some(checkpointer), _) => {
            sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(checkpointer)
                .await?;
        }
        (None, writer) => {
            // Not on empty tables: statistics of none would plan the
            // foreign-key checks as scans for the whole session.
            if options.backlog > 0 {
                writer.run("VACUUM ANALYZE").await?;
            }
            writer.run("CHECKPOINT").await?;
        }
    }

    let cpu_before = cpu_so_far(postgres)?;
    let wal_before = if postgres {
        wal_position(&mut writer).await?
    } else {
        0
    };
    let started = Instant::now();
    let mut pages = 0i64;
    let mut finished: Vec<Leased> = Vec::new();
    for round in 0..options.rounds {
        let now = webhookd::clock::now_millis();
        let dispatched: Vec<String> = (0..options.batch).map(|_| next_id()).collect();
        let leased = options.queue == Queue::Fresh;
        write_batch(
            &mut writer,
            options,
            &dispatched,
            leased,
            &finished,
            &payload,
            now,
        )
        .await?;
        finished = match options.queue {
            Queue::Claims | Queue::HotTable => {
                claim(&mut writer, options.queue, round, options.batch, now).await?
            }
            Queue::Fresh => dispatched
                .iter()
                .map(|id| (format!("dlv_{id}"), format!("token_{id}")))
                .collect(),
            Queue::Memory => {
                pending.extend(dispatched);
                pending
                    .drain(..options.batch)
                    .map(|id| (format!("dlv_{id}"), String::new()))
                    .collect()
            }
        };
        if !options.pause.is_zero() {
            tokio::time::sleep(options.pause).await;
        }
        if (round + 1) % options.checkpoint_every == 0 {
            match &mut checkpointer {
                Some(checkpointer) => {
                    let (_busy, logged, _copied): (i64, i64, i64) =
                        sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                            .fetch_one(&mut *checkpointer)
                            .await?;
                    pages += logged;
                }
                None => refresh_statistics(&mut writer).await?,
            }
        }
    }
    let wall = started.elapsed();
    let cpu = cpu_so_far(postgres)? - cpu_before;
    let deliveries = (options.rounds * options.batch) as f64;
    let log = if postgres {
        let wal = wal_position(&mut writer).await? - wal_before;
        format!("wal_bytes_per_delivery={:.0}", wal as f64 / deliveries)
    } else {
        format!("log_pages_per_delivery={:.2}", pages as f64 / deliveries)
    };
    match writer {
        Conn::Sqlite(conn) => conn.close().await?,
        Conn::Postgres(conn) => conn.close().await?,
        Conn::Direct(conn) => drop(conn),
    }
    Ok(format!(
        "backend={} queue={:?} schema={:?} batch={} backlog={} deliveries={deliveries} cpu_us_per_delivery={:.1} wall_us_per_delivery={:.1} {log}",
        if postgres { "postgres" } else { "sqlite" },
        options.queue,
        options.schema,
        options.batch,
        options.backlog,
        cpu.as_micros() as f64 / deliveries,
        wall.as_micros() as f64 / deliveries,
    ))
}

/// A SQLite connection driven on the calling thread through rusqlite, with
/// a statement cache like sqlx's.
mod direct {
    use anyhow::{Context, Result};
    use rusqlite::types::{ToSqlOutput, Value as Sqlite};
    use rusqlite::{CachedStatement as Statement, ToSql};

    use super::Value;

    /// sqlx's statement cache holds 100 statements per connection.
    const CACHED_STATEMENTS: usize = 100;

    pub struct Connection(rusqlite::Connection);

    impl Connection {
        pub fn open(path: &str, settings: &str) -> Result<Self> {
            let connection = rusqlite::Connection::open(path)?;
            connection.execute_batch(settings)?;
            connection.set_prepared_statement_cache_capacity(CACHED_STATEMENTS);
            Ok(Connection(connection))
        }

        /// Runs statements without values, one after another.
        pub fn run(&mut self, text: &str) -> Result<()> {
            Ok(self.0.execute_batch(text)?)
        }

        pub fn execute(&mut self, text: &str, values: &[Value]) -> Result<u64> {
            let mut statement = self.0.prepare_cached(text)?;
            bind(&mut statement, values)?;
            let mut rows = statement.raw_query();
            while rows.next()?.is_some() {}
            Ok(self.0.changes())
        }

        /// The first column of every row, as text.
        pub fn fetch_first(&mut self, text: &str, values: &[Value]) -> Result<Vec<String>> {
            let mut statement = self.0.prepare_cached(text)?;
            bind(&mut statement, values)?;
            let mut rows = statement.raw_query();
            let mut first = Vec::new();
            while let Some(row) = rows.next()? {
                first.push(row.get(0)?);
            }
            Ok(first)
        }
    }

    /// Binds `?` by position and `$N` or `?N` by its number, as sqlx does:
    /// SQLite itself numbers `$N` in the order the names first appear.
    fn bind(statement: &mut Statement<'_>, values: &[Value]) -> Result<()> {
        for index in 1..=statement.parameter_count() {
            let position = match statement.parameter_name(index) {
                Some(name) => name
                    .get(1..)
                    .and_then(|number| number.parse::<usize>().ok())
                    .with_context(|| format!("placeholder {name}"))?,
                None => index,
            };
            let value = values
                .get(position - 1)
                .with_context(|| format!("no value for placeholder {position}"))?;
            statement.raw_bind_parameter(index, value)?;
        }
        Ok(())
    }

    impl ToSql for Value {
        fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
            Ok(match self {
                Value::Int(value) => value.to_sql()?,
                Value::Text(value) => value.to_sql()?,
                Value::Bytes(value) => value.to_sql()?,
                Value::Float(value) => value.to_sql()?,
                Value::Texts(values) => ToSqlOutput::Owned(Sqlite::Text(
                    super::sqlite_list(values)
                        .map_err(|error| rusqlite::Error::ToSqlConversionFailure(error.into()))?,
                )),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAYOUTS: [(Queue, Schema); 8] = [
        (Queue::Claims, Schema::Webhookd),
        (Queue::Fresh, Schema::Webhookd),
        (Queue::Memory, Schema::Webhookd),
        (Queue::Memory, Schema::NoClaimIndexes),
        (Queue::HotTable, Schema::Webhookd),
        (Queue::Claims, Schema::FewerBtrees),
        (Queue::Fresh, Schema::FewerBtrees),
        (Queue::Memory, Schema::FewerBtrees),
    ];

    async fn replay_small(queue: Queue, schema: Schema, postgres: Option<String>, direct: bool) {
        let options = Options {
            queue,
            schema,
            rounds: 4,
            batch: 3,
            backlog: 500,
            checkpoint_every: 2,
            postgres,
            direct,
            ..Options::default()
        };
        let report = replay(&options)
            .await
            .unwrap_or_else(|error| panic!("{queue:?}, {schema:?}, direct {direct}: {error:#}"));
        assert!(report.contains("deliveries=12 "), "{report}");
    }

    /// Every layout replays a few batches from a backlog, through sqlx and
    /// through the direct writer: webhookd's statement texts still fit its
    /// migrations and each other, every claim finds its batch and every
    /// move its delivery.
    #[tokio::test]
    async fn every_layout_replays_a_small_flood_on_sqlite() {
        for (queue, schema) in LAYOUTS {
            for direct in [false, true] {
                replay_small(queue, schema, None, direct).await;
            }
        }
    }

    /// The same on PostgreSQL, where the suite has a server
    /// (`WEBHOOKD_TEST_POSTGRES_URL`, as for the store's tests).
    #[tokio::test]
    async fn every_queue_replays_a_small_flood_on_postgres() {
        let Ok(url) = std::env::var("WEBHOOKD_TEST_POSTGRES_URL") else {
            return;
        };
        for (queue, schema) in LAYOUTS {
            if schema == Schema::Webhookd {
                replay_small(queue, schema, Some(url.clone()), false).await;
            }
        }
    }
}
