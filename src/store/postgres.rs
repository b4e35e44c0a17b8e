//! The PostgreSQL backend, for production and for several instances on one
//! database. Claims use `FOR UPDATE SKIP LOCKED` with leases, so instances
//! never attempt the same delivery at once; `LISTEN/NOTIFY` wakes idle
//! instances when another one dispatches.

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgListener, PgPoolOptions};
use sqlx::{Connection, Pool, Postgres};
use tokio::sync::Notify;
use tracing::{debug, warn};

use super::StoreError;
use super::backend::{Backend, SqlStore};
use super::batch::{BatchTarget, BatchWriter};
use super::model::{AttemptResult, EndpointRoom, Lease};
use super::rows::ClaimedRow;
use super::sql::NewDelivery;
use crate::config::DatabaseConfig;
use crate::domain::{AttemptRecord, Event, HELD_FOR_ORDERING, TraceContext};

static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

const CLAIM: &str = concat!(
    include_str!("queries/postgres/queued_endpoints.sql"),
    include_str!("queries/postgres/claim.sql")
);
const NEXT_WAKEUP: &str = concat!(
    include_str!("queries/postgres/queued_endpoints.sql"),
    include_str!("queries/postgres/next_wakeup.sql")
);
const INSERT_EVENTS: &str = include_str!("queries/postgres/insert_events.sql");
const INSERT_DELIVERIES: &str = include_str!("queries/postgres/insert_deliveries.sql");
const INSERT_ATTEMPTS: &str = include_str!("queries/postgres/insert_attempts.sql");
const MOVE_DELIVERIES: &str = concat!(
    include_str!("queries/postgres/move_deliveries.sql"),
    include_str!("queries/delivery_move.sql"),
    " $7\n",
    include_str!("queries/delivery_move_returning.sql")
);
const NOTIFY: &str = include_str!("queries/postgres/notify.sql");
const RELEASE_ORDERED_HEAD: &str = include_str!("queries/postgres/release_ordered_head.sql");
const RELEASE_STUCK_ORDERED: &str = include_str!("queries/postgres/release_stuck_ordered.sql");
const STALE_STATISTICS: &str = include_str!("queries/postgres/stale_statistics.sql");

/// The tables whose statistics steer the queue's plans. A backlog that
/// fills `deliveries` within a minute is planned with the statistics of an
/// empty table until autovacuum's next round (up to a minute), and those
/// plans read every pending delivery of an endpoint per claim. Events and
/// attempts are read by key, whatever their statistics say.
const GROWING_TABLES: [&str; 1] = ["deliveries"];
/// A table's statistics are refreshed once it holds more than this many
/// rows and more than this many times the rows its statistics describe: a
/// filling backlog is analysed at 10k, 20k, 40k… rows, a few times in all.
/// (Refreshing on every 10,000 changes instead cost a flood 15 % more
/// database CPU.)
const STALE_FROM_ROWS: i64 = 10_000;
const STALE_GROWTH: f64 = 2.0;

/// The NOTIFY channel that announces newly dispatched deliveries.
const WORK_CHANNEL: &str = "webhookd_work";

/// Pause before listening again after the notification connection failed.
const LISTEN_RETRY: Duration = Duration::from_secs(1);

/// Write transactions in flight at once, each on a connection of its own.
/// Two overlap one batch's round trips and commit with the next; with four,
/// batches were smaller and the server spent more per row: 15–28 % less
/// CPU per delivery with two, and more throughput (docs/benchmarks.md).
const PG_WRITERS: usize = 2;

pub type PgStore = SqlStore<Postgres>;

impl SqlStore<Postgres> {
    pub async fn connect(config: &DatabaseConfig) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(&config.url)
            .map_err(|e| StoreError::Unavailable(e.to_string()))?
            .application_name("webhookd");
        let acquire_timeout = config.acquire_timeout;
        // One plain connection first: a pool retries until its timeout and
        // then reports only "pool timed out", hiding the cause (connection
        // refused, authentication failed, no such database).
        tokio::time::timeout(acquire_timeout, PgConnection::connect_with(&options))
            .await
            .map_err(|_| {
                StoreError::Unavailable(format!(
                    "no answer from the server within database.acquire_timeout_seconds ({}s)",
                    config.acquire_timeout.as_secs_f64()
                ))
            })??
            .close()
            .await?;
        let pool = PgPoolOptions::new()
            .max_connections(config.max_connections)
            .acquire_timeout(acquire_timeout)
            .connect_with(options.clone())
            .await?;
        // Claims and write batches run on connections of their own, whose
        // statements are planned once (see `planned_once`).
        let claims = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(acquire_timeout)
            .connect_lazy_with(planned_once(options.clone()));
        let writers = PgPoolOptions::new()
            .max_connections(PG_WRITERS as u32)
            .acquire_timeout(acquire_timeout)
            .connect_lazy_with(planned_once(options));
        let secrets = Arc::default();
        let batched = BatchWriter::spawn(
            BatchTarget::Pool(writers),
            PG_WRITERS,
            config.group_commit_wait,
            Arc::clone(&secrets),
        );
        Ok(SqlStore {
            read: pool.clone(),
            claims,
            write: pool,
            batched,
            writer_thread: None,
            file: None,
            secrets,
        })
    }
}

/// One column of a write batch's rows, bound as one array: every batch
/// size then runs the same prepared statement, planned once per connection
/// (see `planned_once`). Multi-row `VALUES` made a text per batch size, each
/// planned afresh at most of its runs.
fn column<'r, R, T>(rows: &'r [R], value: impl Fn(&'r R) -> T) -> Vec<T> {
    rows.iter().map(value).collect()
}

/// The session settings of the connections that run claims and write
/// batches: the statements of the delivery path, which are planned once per
/// connection, for any parameters.
///
/// With current statistics PostgreSQL otherwise judged the claim's generic
/// plan too costly and planned the whole statement again at every claim,
/// which cost a flood 20 % more database CPU. A write batch's statements
/// take one array per column (see `column`), so that every batch size runs
/// the same statement; planned at every run, they cost more than the
/// statements of one text per size. The same plan is right for every run:
/// each walks indexes, the claim endpoint by endpoint, the moves by key. The
/// pool of reads and the API's writes keeps per-value plans, which the
/// metrics' time ranges need.
///
/// That one plan is made with the statistics of the moment: on a new
/// database those of empty tables, and it then read all of `deliveries` and
/// `events` at every claim (5 ms at 6,000 rows), and all of `deliveries` at
/// every batch's moves, until their statistics were first refreshed. With
/// sequential scans off, the plans walk the indexes whatever the statistics
/// say. JIT is off too: the penalty of a disabled scan (`endpoints` is
/// still scanned) pushes the claim over `jit_above_cost`, and compiling it
/// took 400 ms per claim.
fn planned_once(options: PgConnectOptions) -> PgConnectOptions {
    options.options([
        ("plan_cache_mode", "force_generic_plan"),
        ("enable_seqscan", "off"),
        ("jit", "off"),
    ])
}

impl Backend for Postgres {
    async fn migrate(pool: &Pool<Postgres>) -> Result<(), StoreError> {
        // sqlx takes an advisory lock, so instances starting together
        // migrate one at a time.
        Ok(MIGRATOR.run(pool).await?)
    }

    async fn claim_due(
        store: &SqlStore<Postgres>,
        lease: &Lease<'_>,
        limit: usize,
        room: &EndpointRoom<'_>,
    ) -> Result<Vec<ClaimedRow>, StoreError> {
        let room_json = room.room_json();
        let default_limit = i64::try_from(room.default_limit).unwrap_or(i64::MAX);
        let prefetch = i64::try_from(room.prefetch_factor).unwrap_or(1);
        Ok(sqlx::query_as(CLAIM)
            .bind(lease.owner)
            .bind(lease.token)
            .bind(lease.until)
            .bind(lease.now)
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .bind(room.excluded)
            .bind(room_json)
            .bind(default_limit)
            .bind(EndpointRoom::rows_per_endpoint(limit))
            .bind(prefetch)
            .fetch_all(&store.claims)
            .await?)
    }

    async fn next_wakeup_at(
        pool: &Pool<Postgres>,
        excluded: &[String],
    ) -> Result<Option<i64>, StoreError> {
        let excluded = excluded.to_vec();
        Ok(sqlx::query_scalar(NEXT_WAKEUP)
            .bind(excluded)
            .fetch_one(pool)
            .await?)
    }

    async fn recover_at_start(_pool: &Pool<Postgres>) -> Result<u64, StoreError> {
        // Other instances may hold live leases: expired ones are reclaimed
        // by the scheduler of whichever instance sees them first.
        Ok(0)
    }

    async fn announce_due_work(conn: &mut PgConnection, origin: &str) -> Result<(), StoreError> {
        sqlx::query(NOTIFY)
            .bind(WORK_CHANNEL)
            .bind(origin)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    async fn insert_event_batch(
        conn: &mut PgConnection,
        events: &[&Event],
    ) -> Result<HashSet<String>, StoreError> {
        let inserted: Vec<String> = sqlx::query_scalar(INSERT_EVENTS)
            .bind(column(events, |event| event.id.as_str()))
            .bind(column(events, |event| event.event_type.as_str()))
            .bind(column(events, |event| event.payload.as_bytes()))
            .bind(column(events, |event| event.idempotency_key.as_deref()))
            .bind(column(events, |event| event.created_at))
            .bind(column(events, |event| event.ordering_key.as_deref()))
            .bind(column(events, |event| {
                event.trace.as_ref().map(TraceContext::traceparent)
            }))
            .bind(column(events, |event| {
                event
                    .trace
                    .as_ref()
                    .and_then(|trace| trace.tracestate.as_deref())
            }))
            .fetch_all(&mut *conn)
            .await?;
        Ok(inserted.into_iter().collect())
    }

    async fn insert_delivery_batch(
        conn: &mut PgConnection,
        deliveries: &[NewDelivery<'_>],
    ) -> Result<(), StoreError> {
        let due_at = |delivery: &NewDelivery<'_>| match delivery.held {
            true => HELD_FOR_ORDERING,
            false => delivery.event.created_at,
        };
        // Created and last updated when their event was dispatched.
        let created_at = column(deliveries, |delivery| delivery.event.created_at);
        sqlx::query(INSERT_DELIVERIES)
            .bind(column(deliveries, |delivery| delivery.id.as_str()))
            .bind(column(deliveries, |delivery| delivery.event.id.as_str()))
            .bind(column(deliveries, |delivery| delivery.endpoint_id))
            .bind(column(deliveries, |delivery| match delivery.lease {
                Some(_) => "in_flight",
                None => "pending",
            }))
            .bind(column(deliveries, due_at))
            .bind(&created_at)
            .bind(&created_at)
            .bind(column(deliveries, |delivery| {
                delivery.event.ordering_key.as_deref()
            }))
            .bind(column(deliveries, |delivery| {
                delivery.lease.map(|lease| lease.owner.as_str())
            }))
            .bind(column(deliveries, |delivery| {
                delivery.lease.map(|lease| lease.token.as_str())
            }))
            .bind(column(deliveries, |delivery| {
                delivery.lease.map(|lease| lease.until)
            }))
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    async fn record_attempt_batch(
        conn: &mut PgConnection,
        results: &[&AttemptResult],
        now: i64,
    ) -> Result<HashSet<String>, StoreError> {
        let attempts: Vec<&AttemptRecord> = results.iter().map(|result| &result.attempt).collect();
        let delivery_ids = column(&attempts, |attempt| attempt.delivery_id.as_str());
        let numbers = column(&attempts, |attempt| i64::from(attempt.attempt_number));
        let errors = column(&attempts, |attempt| attempt.error_message.as_deref());
        sqlx::query(INSERT_ATTEMPTS)
            .bind(&delivery_ids)
            .bind(&numbers)
            .bind(column(&attempts, |attempt| attempt.started_at))
            .bind(column(&attempts, |attempt| attempt.duration_ms))
            .bind(column(&attempts, |attempt| {
                attempt.http_status.map(i64::from)
            }))
            .bind(column(&attempts, |attempt| {
                attempt.error_kind.map(|kind| kind.as_str())
            }))
            .bind(&errors)
            .bind(column(&attempts, |attempt| {
                attempt.response_excerpt.as_deref()
            }))
            .bind(column(&attempts, |attempt| attempt.instance_id.as_deref()))
            .execute(&mut *conn)
            .await?;
        let moved: Vec<String> = sqlx::query_scalar(MOVE_DELIVERIES)
            .bind(&delivery_ids)
            .bind(column(results, |result| result.lease_token.as_str()))
            .bind(column(results, |result| result.transition.state().as_str()))
            .bind(&numbers)
            .bind(column(results, |result| result.transition.retry_at()))
            .bind(&errors)
            .bind(now)
            .fetch_all(&mut *conn)
            .await?;
        Ok(moved.into_iter().collect())
    }

    async fn lock_ordering_keys(conn: &mut PgConnection, keys: &[&str]) -> Result<(), StoreError> {
        // Sorted by the caller, so concurrent batches take them in one
        // order; held to the end of the transaction.
        for key in keys {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(*key)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    async fn release_ordered_head(
        conn: &mut PgConnection,
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

    async fn release_stuck_ordered(conn: &mut PgConnection, now: i64) -> Result<u64, StoreError> {
        Ok(sqlx::query(RELEASE_STUCK_ORDERED)
            .bind(now)
            .bind(HELD_FOR_ORDERING)
            .execute(&mut *conn)
            .await?
            .rows_affected())
    }

    async fn refresh_statistics(pool: &Pool<Postgres>) -> Result<Vec<&'static str>, StoreError> {
        let stale: Vec<String> = sqlx::query_scalar(STALE_STATISTICS)
            .bind(GROWING_TABLES)
            .bind(STALE_FROM_ROWS)
            .bind(STALE_GROWTH)
            .fetch_all(pool)
            .await?;
        let mut refreshed = Vec::new();
        for table in GROWING_TABLES {
            if stale.iter().any(|name| name == table) {
                // SKIP_LOCKED: another instance analysing it already will do.
                sqlx::query(&format!("ANALYZE (SKIP_LOCKED) {table}"))
                    .execute(pool)
                    .await?;
                refreshed.push(table);
            }
        }
        Ok(refreshed)
    }

    async fn checkpoint_log(
        _read: &Pool<Postgres>,
        _write: &Pool<Postgres>,
    ) -> Result<u64, StoreError> {
        // The server checkpoints by itself, outside any session.
        Ok(0)
    }

    async fn watch_remote_work(pool: Pool<Postgres>, wake: Arc<Notify>, origin: &str) -> () {
        loop {
            listen_for_work(&pool, &wake, origin).await;
            tokio::time::sleep(LISTEN_RETRY).await;
        }
    }
}

/// Wakes `wake` on every notification of another store until the
/// listening connection fails.
async fn listen_for_work(pool: &Pool<Postgres>, wake: &Notify, origin: &str) {
    let mut listener = match PgListener::connect_with(pool).await {
        Ok(listener) => listener,
        Err(e) => {
            debug!(error.message = %e, "cannot connect to listen for work notifications");
            return;
        }
    };
    if let Err(e) = listener.listen(WORK_CHANNEL).await {
        warn!(error.message = %e, "failed to listen for work notifications");
        return;
    }
    loop {
        match listener.recv().await {
            // This store's own dispatches woke its scheduler already; a
            // second wake would only bring an empty claim.
            Ok(notification) if notification.payload() == origin => {}
            Ok(_) => wake.notify_one(),
            Err(e) => {
                // Notifications sent while disconnected are lost: look for
                // work anyway.
                debug!(error.message = %e, "work notification connection lost");
                wake.notify_one();
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database of its own on the server of `WEBHOOKD_TEST_POSTGRES_URL`
    /// (`scripts/test.sh` starts one), named like those of the integration
    /// tests; `None` when there is no server outside CI.
    async fn fresh_database() -> Option<(PgConnection, String, PgConnectOptions)> {
        let Ok(server) = std::env::var("WEBHOOKD_TEST_POSTGRES_URL") else {
            assert!(
                std::env::var("CI").map_or(true, |ci| ci != "true"),
                "CI=true but WEBHOOKD_TEST_POSTGRES_URL is not set: use scripts/test.sh"
            );
            return None;
        };
        let server = PgConnectOptions::from_str(&server).unwrap();
        let mut admin = PgConnection::connect_with(&server).await.unwrap();
        let name = format!("webhookd_test_{}", uuid::Uuid::now_v7().simple());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        let database = server.clone().database(&name);
        Some((admin, name, database))
    }

    /// The plan of `statement`, prepared on a new, migrated database
    /// with no statistics, as on the first run of a new installation, by
    /// a connection with `planned_once`'s settings, for `EXECUTE`
    /// `arguments`; the generic plan then serves every later run on that
    /// connection. `None` without a test server.
    async fn plan_on_empty_tables(statement: &str, arguments: &str) -> Option<String> {
        let (mut admin, name, database) = fresh_database().await?;
        let mut migrated = PgConnection::connect_with(&database).await.unwrap();
        MIGRATOR.run(&mut migrated).await.unwrap();
        migrated.close().await.unwrap();

        let mut session = PgConnection::connect_with(&planned_once(database))
            .await
            .unwrap();
        sqlx::raw_sql(&format!("PREPARE statement AS {statement}"))
            .execute(&mut session)
            .await
            .unwrap();
        let plan: Vec<String> =
            sqlx::query_scalar(&format!("EXPLAIN EXECUTE statement({arguments})"))
                .fetch_all(&mut session)
                .await
                .unwrap();
        session.close().await.unwrap();
        sqlx::query(&format!("DROP DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        Some(plan.join("\n"))
    }

    #[tokio::test]
    async fn the_claim_planned_on_empty_tables_reads_them_by_index() {
        let Some(plan) =
            plan_on_empty_tables(CLAIM, "'owner', 'token', 1, 1, 40, '{}', '{}', 10, 40, 4").await
        else {
            return;
        };
        for table in ["deliveries", "events"] {
            assert!(
                !plan.contains(&format!("Seq Scan on {table}")),
                "the claim reads all of {table}:\n{plan}"
            );
        }
        assert!(!plan.contains("JIT"), "the claim is compiled:\n{plan}");
        // The walk over endpoints with a pending delivery would step through
        // every endpoint's delivered history on the (endpoint_id, state)
        // index.
        assert!(
            !plan.contains("deliveries_endpoint_state"),
            "the claim finds queued endpoints through the history:\n{plan}"
        );
        // Endpoints are looked up by key, never read all: with thousands
        // registered and a few busy, that read was most of a claim's time.
        let lines: Vec<&str> = plan.lines().collect();
        for (at, line) in lines.iter().enumerate() {
            if line.contains(" on endpoints ") {
                assert!(
                    lines
                        .get(at + 1)
                        .is_some_and(|next| next.contains("Index Cond: (id =")),
                    "the claim reads every endpoint:\n{plan}"
                );
            }
        }
    }

    #[tokio::test]
    async fn the_batch_moves_planned_on_empty_tables_find_deliveries_by_key() {
        let Some(plan) = plan_on_empty_tables(
            MOVE_DELIVERIES,
            "'{d}', '{t}', '{succeeded}', '{1}', '{NULL}', '{NULL}', 1",
        )
        .await
        else {
            return;
        };
        // Planned for an empty table with sequential scans allowed, the
        // moves hash a read of the whole of `deliveries`, at every batch.
        assert!(
            plan.contains("Index Scan using deliveries_pkey on deliveries"),
            "the moves read all of deliveries:\n{plan}"
        );
        assert!(
            !plan.contains("Seq Scan on deliveries"),
            "the moves read all of deliveries:\n{plan}"
        );
    }
}
