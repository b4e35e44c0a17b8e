//! What the SQLite statements of a delivery cost under other table layouts
//! than webhookd's, before anyone rewrites the store for one. It replays the
//! writes of a flood (events and deliveries inserted in batches, claimed,
//! their successes and attempts recorded, the log checkpointed) against a
//! file made by webhookd's own migrations, with webhookd's connection
//! settings, and reports the process's CPU time and the log pages written
//! per delivery.
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

use std::collections::VecDeque;
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, SqliteConnection};

const QUEUED_ENDPOINTS: &str = include_str!("../src/store/queries/sqlite/queued_endpoints.sql");
const CLAIM: &str = include_str!("../src/store/queries/sqlite/claim.sql");
const LEASED: &str = include_str!("../src/store/queries/delivery_leased.sql");
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
        }
    }
}

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
            other => bail!("unknown flag {other}"),
        }
    }
    if options.schema == Schema::NoClaimIndexes && options.queue != Queue::Memory {
        bail!("--schema no-claim-indexes needs --queue memory: claims read those indexes");
    }
    Ok(options)
}

/// CPU time of every thread of this process so far (sqlx runs each SQLite
/// connection on a thread of its own).
fn process_cpu() -> Result<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // Fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat[stat.rfind(')').context("stat")? + 2..]
        .split(' ')
        .collect();
    let ticks: u64 = fields[11].parse::<u64>()? + fields[12].parse::<u64>()?;
    Ok(Duration::from_millis(ticks * 10))
}

/// A connection with webhookd's SQLite settings (src/store/sqlite.rs).
async fn connect(url: &str, mmap: bool) -> Result<SqliteConnection> {
    let mut options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .pragma("cache_size", "-32768")
        .pragma("wal_autocheckpoint", "4000");
    if mmap {
        options = options.pragma("mmap_size", (256u64 << 20).to_string());
    }
    Ok(SqliteConnection::connect_with(&options).await?)
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

const HOT_TABLE: &str = "
DROP INDEX deliveries_pending;
DROP INDEX deliveries_leases;
CREATE TABLE queue (
    delivery_id     TEXT PRIMARY KEY,
    endpoint_id     TEXT NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    lease_token     TEXT,
    leased_until    INTEGER
) WITHOUT ROWID;
CREATE INDEX queue_due ON queue (endpoint_id, next_attempt_at) WHERE lease_token IS NULL;
CREATE INDEX queue_leases ON queue (leased_until) WHERE lease_token IS NOT NULL;
";

async fn prepare(conn: &mut SqliteConnection, options: &Options) -> Result<()> {
    sqlx::migrate!("./migrations/sqlite")
        .run(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO endpoints (id, url, event_patterns, origin, created_at, updated_at, max_concurrent)
         VALUES ('ep_1', 'http://127.0.0.1:1/', '[\"*\"]', 'api', 0, 0, 1000000)",
    )
    .execute(&mut *conn)
    .await?;
    let schema = match options.schema {
        Schema::Webhookd => "",
        Schema::NoClaimIndexes => "DROP INDEX deliveries_pending; DROP INDEX deliveries_leases;",
        Schema::FewerBtrees => FEWER_BTREES,
    };
    sqlx::raw_sql(schema).execute(&mut *conn).await?;
    if options.queue == Queue::HotTable {
        sqlx::raw_sql(HOT_TABLE).execute(&mut *conn).await?;
    }
    Ok(())
}

fn values(rows: usize, columns: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    vec![row; rows].join(", ")
}

/// A delivery this run dispatched, and the token of its lease (empty
/// without one).
type Leased = (String, String);

/// One round's dispatches and the previous round's successes, in one
/// transaction, as webhookd's writer batches them. `leased`: the
/// dispatches are inserted already leased.
async fn write_batch(
    conn: &mut SqliteConnection,
    options: &Options,
    dispatched: &[String],
    leased: bool,
    finished: &[Leased],
    payload: &[u8],
    now: i64,
) -> Result<()> {
    let mut tx = conn.begin().await?;
    let n = dispatched.len();
    // A partial unique index is a conflict target only with its condition.
    let target = match options.schema {
        Schema::FewerBtrees => "(idempotency_key) WHERE idempotency_key IS NOT NULL",
        Schema::Webhookd | Schema::NoClaimIndexes => "(idempotency_key)",
    };
    let sql = format!(
        "{EVENT_INSERT} VALUES {} ON CONFLICT {target} DO NOTHING RETURNING id",
        values(n, 8)
    );
    let mut query = sqlx::query(&sql);
    for id in dispatched {
        query = query
            .bind(format!("evt_{id}"))
            .bind("order.created")
            .bind(payload)
            .bind(None::<String>)
            .bind(now)
            .bind(None::<String>)
            .bind(None::<String>)
            .bind(None::<String>);
    }
    query.fetch_all(&mut *tx).await?;
    let sql = format!("{DELIVERY_INSERT} VALUES {}", values(n, 11));
    let mut query = sqlx::query(&sql);
    for id in dispatched {
        query = query
            .bind(format!("dlv_{id}"))
            .bind(format!("evt_{id}"))
            .bind("ep_1")
            .bind(if leased { "in_flight" } else { "pending" })
            .bind(now)
            .bind(now)
            .bind(now)
            .bind(None::<String>)
            .bind(leased.then_some("instance-1"))
            .bind(leased.then(|| format!("token_{id}")))
            .bind(leased.then_some(now + 60_000));
    }
    query.execute(&mut *tx).await?;
    if options.queue == Queue::HotTable {
        let sql = format!(
            "INSERT INTO queue (delivery_id, endpoint_id, next_attempt_at) VALUES {}",
            values(n, 3)
        );
        let mut query = sqlx::query(&sql);
        for id in dispatched {
            query = query.bind(format!("dlv_{id}")).bind("ep_1").bind(now);
        }
        query.execute(&mut *tx).await?;
    }
    if !finished.is_empty() {
        record_successes(&mut tx, options.queue, finished, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Appends an attempt for each and moves it to `succeeded`, as webhookd's
/// attempt_insert.sql and delivery_move.sql do; a lease written is the
/// move's fence.
async fn record_successes(
    conn: &mut SqliteConnection,
    queue: Queue,
    finished: &[Leased],
    now: i64,
) -> Result<()> {
    let m = finished.len();
    let sql = format!("{ATTEMPT_INSERT} VALUES {}", values(m, 9));
    let mut query = sqlx::query(&sql);
    for (id, _) in finished {
        query = query
            .bind(id)
            .bind(1i64)
            .bind(now)
            .bind(1i64)
            .bind(200i64)
            .bind(None::<String>)
            .bind(None::<String>)
            .bind(None::<String>)
            .bind("instance-1");
    }
    query.execute(&mut *conn).await?;
    // webhookd's move, fenced by the lease where one was written.
    let fence = match queue {
        Queue::Claims | Queue::Fresh => DELIVERY_MOVE_RETURNING.to_owned(),
        Queue::Memory => {
            "FROM moves WHERE deliveries.id = moves.id AND deliveries.state = 'pending'
             RETURNING deliveries.id"
                .to_owned()
        }
        Queue::HotTable => "FROM moves WHERE deliveries.id = moves.id AND EXISTS (
                 SELECT 1 FROM queue
                 WHERE queue.delivery_id = moves.id AND queue.lease_token = moves.lease_token)
             RETURNING deliveries.id"
            .to_owned(),
    };
    let sql = format!(
        "WITH moves (id, lease_token, state, attempt_count, retry_at, last_error) AS (VALUES {}) {DELIVERY_MOVE} ? {fence}",
        values(m, 6)
    );
    let mut query = sqlx::query(&sql);
    for (id, token) in finished {
        query = query
            .bind(id)
            .bind(token)
            .bind("succeeded")
            .bind(1i64)
            .bind(None::<i64>)
            .bind(None::<String>);
    }
    let moved = query.bind(now).fetch_all(&mut *conn).await?;
    if moved.len() != m {
        bail!("moved {} of {m}", moved.len());
    }
    if queue == Queue::HotTable {
        let sql = format!(
            "DELETE FROM queue WHERE delivery_id IN ({})",
            vec!["?"; m].join(", ")
        );
        let mut query = sqlx::query(&sql);
        for (id, _) in finished {
            query = query.bind(id);
        }
        query.execute(&mut *conn).await?;
    }
    sqlx::query(&format!("{RESET_FAILURES} (?)"))
        .bind("ep_1")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Leases up to `limit` due deliveries and reads them back with their event
/// and endpoint.
async fn claim(
    conn: &mut SqliteConnection,
    queue: Queue,
    round: usize,
    limit: usize,
    now: i64,
) -> Result<Vec<Leased>> {
    let token = format!("token_{round}");
    let until = now + 60_000 + round as i64;
    let rows: Vec<(String,)> = if queue == Queue::HotTable {
        sqlx::query(
            "UPDATE queue SET lease_token = ?1, leased_until = ?2
             WHERE delivery_id IN (
                 SELECT delivery_id FROM queue
                 WHERE endpoint_id = ?3 AND lease_token IS NULL AND next_attempt_at <= ?4
                 ORDER BY next_attempt_at LIMIT ?5)",
        )
        .bind(&token)
        .bind(until)
        .bind("ep_1")
        .bind(now)
        .bind(limit as i64)
        .execute(&mut *conn)
        .await?;
        sqlx::query_as(
            "SELECT d.id, e.event_type, e.payload, ep.url, ep.secret
             FROM queue q
             JOIN deliveries d ON d.id = q.delivery_id
             JOIN events e ON e.id = d.event_id
             JOIN endpoints ep ON ep.id = d.endpoint_id
             WHERE q.lease_token = ?1 AND q.leased_until = ?2",
        )
        .bind(&token)
        .bind(until)
        .fetch_all(&mut *conn)
        .await?
    } else {
        sqlx::query(&format!("{QUEUED_ENDPOINTS}{CLAIM}"))
            .bind("instance-1")
            .bind(&token)
            .bind(until)
            .bind(now)
            .bind(limit as i64)
            .bind("[]")
            .bind("{}")
            .bind(1_000_000i64)
            .bind(limit as i64)
            .bind(1i64)
            .execute(&mut *conn)
            .await?;
        sqlx::query_as(LEASED)
            .bind("instance-1")
            .bind(&token)
            .bind(until)
            .fetch_all(&mut *conn)
            .await?
    };
    if rows.len() != limit {
        bail!("claimed {} of {limit}", rows.len());
    }
    Ok(rows.into_iter().map(|(id,)| (id, token.clone())).collect())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let options = options(std::env::args().skip(1))?;
    println!("{}", replay(&options).await?);
    Ok(())
}

/// Replays the flood of `options` on a new file; returns the report line.
async fn replay(options: &Options) -> Result<String> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("layout.db").display());
    let mut writer = connect(&url, true).await?;
    prepare(&mut writer, options).await?;
    let mut checkpointer = connect(&url, false).await?;
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
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut checkpointer)
        .await?;

    let cpu_before = process_cpu()?;
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
        if (round + 1) % options.checkpoint_every == 0 {
            let (_busy, logged, _copied): (i64, i64, i64) =
                sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                    .fetch_one(&mut checkpointer)
                    .await?;
            pages += logged;
        }
    }
    let wall = started.elapsed();
    let cpu = process_cpu()? - cpu_before;
    let deliveries = (options.rounds * options.batch) as f64;
    Ok(format!(
        "queue={:?} schema={:?} batch={} backlog={} deliveries={deliveries} cpu_us_per_delivery={:.1} wall_us_per_delivery={:.1} log_pages_per_delivery={:.2}",
        options.queue,
        options.schema,
        options.batch,
        options.backlog,
        cpu.as_micros() as f64 / deliveries,
        wall.as_micros() as f64 / deliveries,
        pages as f64 / deliveries,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every layout replays a few batches from a backlog: webhookd's
    /// statement texts still fit its migrations and each other, every
    /// claim finds its batch and every move its delivery.
    #[tokio::test]
    async fn every_layout_replays_a_small_flood() {
        let layouts = [
            (Queue::Claims, Schema::Webhookd),
            (Queue::Fresh, Schema::Webhookd),
            (Queue::Memory, Schema::Webhookd),
            (Queue::Memory, Schema::NoClaimIndexes),
            (Queue::HotTable, Schema::Webhookd),
            (Queue::Claims, Schema::FewerBtrees),
            (Queue::Fresh, Schema::FewerBtrees),
            (Queue::Memory, Schema::FewerBtrees),
        ];
        for (queue, schema) in layouts {
            let options = Options {
                queue,
                schema,
                rounds: 4,
                batch: 3,
                backlog: 500,
                checkpoint_every: 2,
                ..Options::default()
            };
            let report = replay(&options)
                .await
                .unwrap_or_else(|error| panic!("{queue:?}, {schema:?}: {error:#}"));
            assert!(report.contains("deliveries=12 "), "{report}");
        }
    }
}
