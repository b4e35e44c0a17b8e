//! Group commit for the hot writes, shared by the backends. Dispatches and
//! attempt results queue here; one task takes everything queued (up to
//! `MAX_BATCH`) and writes it in one transaction. Each caller is answered only
//! after that transaction committed, so "durable before acknowledged" holds
//! while the cost of a commit is shared.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex as SyncMutex, OnceLock};
use std::time::Duration;

use sqlx::Pool;
use tokio::sync::{Mutex, mpsc, oneshot};
use tracing::{error, info, warn};

use super::StoreError;
use super::backend::{Backend, secrets_or_none};
use super::batch_connection::{BatchConnection, Pooled};
use super::model::{
    AttemptResult, ClaimedDelivery, DispatchOutcome, EndpointVerdict, FreshStarts, RecordOutcome,
    RoutedDelivery, Routing,
};
use super::routing::{RoutingCache, RoutingEndpoint, route};
use super::rows::{DeliveryStart, Sending};
use super::sql::NewDelivery;
use super::sqlite_writer::SqliteWriterThread;
use crate::clock::now_millis;
use crate::domain::{DeliveryId, EndpointId, Event, SecretKeys};

/// Most operations written in one transaction.
const MAX_BATCH: usize = 256;

/// Operations waiting for the writer; callers wait when it is full.
const QUEUE_CAPACITY: usize = 4096;

/// A batch smaller than this waits `database.group_commit_wait_seconds` for
/// more operations before it is written. Attempt results arrive one by one
/// as attempts finish, and each commit costs more than the few operations
/// in it; a flood's dispatches fill batches without waiting.
const LINGER_BELOW: usize = 8;

pub(super) enum WriteOp {
    Dispatch {
        event: Event,
        routing: Routing,
        reply: oneshot::Sender<Result<DispatchOutcome, StoreError>>,
    },
    Record {
        result: AttemptResult,
        reply: oneshot::Sender<Result<RecordOutcome, StoreError>>,
    },
    Probe {
        reply: oneshot::Sender<Result<(), StoreError>>,
    },
}

/// Bytes a write probe commits: enough that a disk with room for the probe
/// has room for an ordinary batch too, so readiness does not flap between
/// a tiny write that fits and real batches that do not.
const PROBE_BALLAST_BYTES: usize = 256 * 1024;

/// Whether writes commit, as the writers last saw it. Readiness reads it:
/// while writes fail (a full disk, a read-only file) the instance reports
/// NOT_SERVING, and it serves again once a batch with events, or the
/// write probe, commits.
#[derive(Debug, Default)]
pub struct WriteHealth {
    /// Guarded by a std mutex: held for a field copy, never across `.await`.
    state: SyncMutex<WriteState>,
}

#[derive(Debug, Default)]
struct WriteState {
    /// Why the last write batch failed; `None` once a batch with events, or
    /// the probe, committed.
    failing: Option<String>,
    /// Set once the database can no longer be trusted with new events (its
    /// file was deleted or replaced); never cleared.
    refused: Option<String>,
}

impl WriteHealth {
    /// Why writes fail right now, if they do.
    pub fn failure(&self) -> Option<String> {
        let state = self
            .state
            .lock()
            .expect("write health lock is never poisoned");
        state.refused.clone().or_else(|| state.failing.clone())
    }

    /// Refuses every later dispatch with `reason`.
    pub fn refuse_writes(&self, reason: String) {
        let mut state = self
            .state
            .lock()
            .expect("write health lock is never poisoned");
        state.refused.get_or_insert(reason);
    }

    fn refused(&self) -> Option<String> {
        let state = self
            .state
            .lock()
            .expect("write health lock is never poisoned");
        state.refused.clone()
    }

    fn committed(&self) {
        let mut state = self
            .state
            .lock()
            .expect("write health lock is never poisoned");
        if let Some(reason) = state.failing.take() {
            info!(after = %reason, "database writes commit again");
        }
    }

    fn failed(&self, reason: &str) {
        let mut state = self
            .state
            .lock()
            .expect("write health lock is never poisoned");
        state.failing = Some(reason.to_owned());
    }
}

/// Where the writers apply their batches.
pub(super) enum BatchTarget<DB: Backend> {
    /// Transactions on connections of the pool, statement by statement
    /// through sqlx.
    Pool(Pool<DB>),
    /// SQLite's writer thread. The pool's one connection is held while it
    /// writes a batch: claims and the store's other writes take that
    /// connection, so they wait their turn in-process instead of meeting
    /// SQLite's lock, which makes them sleep and retry.
    Thread {
        turn: Pool<DB>,
        thread: SqliteWriterThread,
    },
}

impl<DB: Backend> Clone for BatchTarget<DB> {
    fn clone(&self) -> Self {
        match self {
            BatchTarget::Pool(pool) => BatchTarget::Pool(pool.clone()),
            BatchTarget::Thread { turn, thread } => BatchTarget::Thread {
                turn: turn.clone(),
                thread: thread.clone(),
            },
        }
    }
}

/// The sending side of the writer task.
#[derive(Clone)]
pub(super) struct BatchWriter {
    queue: mpsc::Sender<WriteOp>,
    shared: Arc<Shared>,
}

/// What the writer tasks and their senders share.
struct Shared {
    health: WriteHealth,
    origin: Origin,
    /// Where new deliveries that may start at once go; unset (no
    /// scheduler in this process, or not yet), every new delivery waits
    /// for a claim.
    fresh: OnceLock<Arc<dyn FreshStarts>>,
    /// The store's keys, to open the secrets of deliveries started at once.
    secrets: Arc<OnceLock<SecretKeys>>,
    /// How long a small batch waits for more operations.
    linger: Duration,
}

impl std::fmt::Debug for BatchWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchWriter")
            .field("origin", &self.shared.origin)
            .finish_non_exhaustive()
    }
}

/// Names the store that announced due work, so its own announcements do
/// not wake it a second time (its dispatches wake it directly).
#[derive(Debug, Clone)]
struct Origin(Arc<str>);

impl Origin {
    fn new() -> Self {
        Origin(uuid::Uuid::now_v7().simple().to_string().into())
    }

    fn as_str(&self) -> &str {
        &self.0
    }
}

impl BatchWriter {
    /// Starts `writers` writer tasks that take turns at the queue, each
    /// writing its own batches; they end when every `BatchWriter` is dropped.
    /// SQLite wants one; PostgreSQL overlaps the round trips of several.
    /// A batch of fewer than `LINGER_BELOW` operations waits `linger` for
    /// more.
    pub(super) fn spawn<DB: Backend>(
        target: BatchTarget<DB>,
        writers: usize,
        linger: Duration,
        secrets: Arc<OnceLock<SecretKeys>>,
    ) -> Self {
        let (queue, receiver) = mpsc::channel(QUEUE_CAPACITY);
        let receiver = Arc::new(Mutex::new(receiver));
        let shared = Arc::new(Shared {
            health: WriteHealth::default(),
            origin: Origin::new(),
            fresh: OnceLock::new(),
            secrets,
            linger,
        });
        for _ in 0..writers.max(1) {
            tokio::spawn(run(
                target.clone(),
                Arc::clone(&receiver),
                Arc::clone(&shared),
            ));
        }
        BatchWriter { queue, shared }
    }

    pub(super) fn health(&self) -> &WriteHealth {
        &self.shared.health
    }

    /// The name this store's announcements of due work carry.
    pub(super) fn origin(&self) -> &str {
        self.shared.origin.as_str()
    }

    /// From now on, new deliveries that `fresh` has room for are leased
    /// by their dispatch and handed to it. Set once; later calls are
    /// ignored.
    pub(super) fn start_fresh_with(&self, fresh: Arc<dyn FreshStarts>) {
        let _ = self.shared.fresh.set(fresh);
    }

    pub(super) async fn dispatch(
        &self,
        event: Event,
        routing: Routing,
    ) -> Result<DispatchOutcome, StoreError> {
        if let Some(reason) = self.shared.health.refused() {
            return Err(StoreError::Unavailable(reason));
        }
        let (reply, answer) = oneshot::channel();
        self.submit(WriteOp::Dispatch {
            event,
            routing,
            reply,
        })
        .await?;
        answer.await.map_err(|_| writer_gone())?
    }

    pub(super) async fn record_attempt(
        &self,
        result: AttemptResult,
    ) -> Result<RecordOutcome, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.submit(WriteOp::Record { result, reply }).await?;
        answer.await.map_err(|_| writer_gone())?
    }

    /// Commits a probe write through the writers; `Ok` means writes work.
    pub(super) async fn probe(&self) -> Result<(), StoreError> {
        let (reply, answer) = oneshot::channel();
        self.submit(WriteOp::Probe { reply }).await?;
        answer.await.map_err(|_| writer_gone())?
    }

    async fn submit(&self, op: WriteOp) -> Result<(), StoreError> {
        self.queue.send(op).await.map_err(|_| writer_gone())
    }
}

fn writer_gone() -> StoreError {
    StoreError::Unavailable("the database writer has stopped".to_owned())
}

/// What one operation produced inside a batch that committed.
enum Applied {
    Dispatch(Result<DispatchOutcome, StoreError>),
    Record(RecordOutcome),
    Probe,
}

async fn run<DB: Backend>(
    target: BatchTarget<DB>,
    queue: Arc<Mutex<mpsc::Receiver<WriteOp>>>,
    shared: Arc<Shared>,
) {
    let health = &shared.health;
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut routing_cache = RoutingCache::default();
    loop {
        // The lock is held only while taking a batch, so another writer
        // can take the next one while this one writes.
        let taken = queue.lock().await.recv_many(&mut batch, MAX_BATCH).await;
        if taken == 0 {
            return;
        }
        if taken < LINGER_BELOW && !shared.linger.is_zero() {
            tokio::time::sleep(shared.linger).await;
            // Another writer holding the queue takes what is queued, or
            // waits for more; waiting for its lock could take forever.
            if let Ok(mut queue) = queue.try_lock() {
                while batch.len() < MAX_BATCH {
                    let Ok(op) = queue.try_recv() else { break };
                    batch.push(op);
                }
            }
        }
        // Nobody is answered before the outcome of the commit is known: a
        // caller told OK has its rows committed, any other gets an error.
        let applied = match &target {
            BatchTarget::Pool(pool) => {
                apply_pooled(pool, &batch, &shared, &mut routing_cache).await
            }
            BatchTarget::Thread { turn, thread } => {
                let (returned, applied) = apply_on_thread(
                    turn,
                    thread,
                    std::mem::take(&mut batch),
                    &shared,
                    &mut routing_cache,
                )
                .await;
                batch = returned;
                applied
            }
        };
        match applied {
            Ok((results, started)) => {
                // Attempt results are small rows that may still fit on a
                // disk with no room for events; only a batch that took
                // events, or the probe's ballast, shows the failure is over.
                if batch
                    .iter()
                    .any(|op| matches!(op, WriteOp::Dispatch { .. } | WriteOp::Probe { .. }))
                {
                    health.committed();
                }
                // Before the callers hear of them: the deliveries are
                // announced before their dispatch returns, as the others.
                if let (false, Some(fresh)) = (started.is_empty(), shared.fresh.get()) {
                    fresh.start(started);
                }
                for (op, applied) in batch.drain(..).zip(results) {
                    match (op, applied) {
                        (WriteOp::Dispatch { reply, .. }, Applied::Dispatch(result)) => {
                            let _ = reply.send(result);
                        }
                        (WriteOp::Record { reply, .. }, Applied::Record(outcome)) => {
                            let _ = reply.send(Ok(outcome));
                        }
                        (WriteOp::Probe { reply }, Applied::Probe) => {
                            let _ = reply.send(Ok(()));
                        }
                        _ => unreachable!("results are produced in operation order"),
                    }
                }
            }
            Err(e) => {
                // The transaction was dropped, so it rolls back; the
                // backend's connection check replaces a connection that is
                // still inside it (see `sqlite::verify_outside_transaction`).
                error!(error.message = %e, operations = batch.len(), "write batch failed and was rolled back");
                let reason = e.to_string();
                health.failed(&reason);
                for op in batch.drain(..) {
                    let error = StoreError::Unavailable(reason.clone());
                    match op {
                        WriteOp::Dispatch { reply, .. } => {
                            let _ = reply.send(Err(error));
                        }
                        WriteOp::Record { reply, .. } => {
                            let _ = reply.send(Err(error));
                        }
                        WriteOp::Probe { reply } => {
                            let _ = reply.send(Err(error));
                        }
                    }
                }
            }
        }
    }
}

/// What a batch produced: each operation's result and the deliveries its
/// dispatches leased to start at once.
type BatchOutcome = Result<(Vec<Applied>, Vec<ClaimedDelivery>), StoreError>;

/// Applies the batch in a transaction on a connection of `pool`.
async fn apply_pooled<DB: Backend>(
    pool: &Pool<DB>,
    batch: &[WriteOp],
    shared: &Shared,
    routing_cache: &mut RoutingCache,
) -> BatchOutcome {
    let mut tx = pool.begin().await?;
    let applied = apply_batch(&mut Pooled::<DB>(&mut tx), batch, shared, routing_cache).await?;
    tx.commit().await?;
    Ok(applied)
}

/// Applies the batch in a transaction on SQLite's writer thread, holding
/// the write turn; hands the batch back with the outcome. A batch the
/// thread never returns (it panicked) is dropped, and its callers hear
/// that the writer stopped.
async fn apply_on_thread<DB: Backend>(
    turn: &Pool<DB>,
    thread: &SqliteWriterThread,
    batch: Vec<WriteOp>,
    shared: &Arc<Shared>,
    routing_cache: &mut RoutingCache,
) -> (Vec<WriteOp>, BatchOutcome) {
    let held = match turn.acquire().await {
        Ok(held) => held,
        Err(e) => return (batch, Err(e.into())),
    };
    let shared = Arc::clone(shared);
    let mut cache = std::mem::take(routing_cache);
    let returned = thread
        .run(move |conn| {
            let applied = conn.and_then(|conn| {
                conn.transaction(|conn| {
                    // Every statement runs as it is called: nothing waits.
                    futures::executor::block_on(apply_batch(conn, &batch, &shared, &mut cache))
                })
            });
            (batch, cache, applied)
        })
        .await;
    drop(held);
    match returned {
        Ok((batch, cache, applied)) => {
            *routing_cache = cache;
            (batch, applied)
        }
        Err(gone) => (Vec::new(), Err(gone)),
    }
}

/// Applies the batch inside the transaction `conn` is in; returns each
/// operation's result and the deliveries its dispatches leased to start
/// at once.
async fn apply_batch<C: BatchConnection>(
    conn: &mut C,
    batch: &[WriteOp],
    shared: &Shared,
    routing_cache: &mut RoutingCache,
) -> BatchOutcome {
    let now = now_millis();
    let order = lock_order(batch);
    let mut results: Vec<Option<Applied>> = (0..batch.len()).map(|_| None).collect();
    let started = apply_dispatches(
        conn,
        batch,
        &order,
        &mut results,
        shared,
        routing_cache,
        now,
    )
    .await?;
    apply_records(conn, batch, &order, &mut results, now).await?;
    let probes: Vec<usize> = (0..batch.len())
        .filter(|index| matches!(batch[*index], WriteOp::Probe { .. }))
        .collect();
    if !probes.is_empty() {
        conn.write_probe(&vec![0u8; PROBE_BALLAST_BYTES], now)
            .await?;
        for index in probes {
            results[index] = Some(Applied::Probe);
        }
    }
    let results = results
        .into_iter()
        .map(|applied| applied.expect("every operation was applied"))
        .collect();
    Ok((results, started))
}

/// Routes every event of the batch, inserts the events in one statement and
/// their deliveries in another (leasing those that may start at once),
/// announces the others in the name of the store, and answers repeated
/// idempotency keys. Returns the deliveries leased to start.
async fn apply_dispatches<C: BatchConnection>(
    conn: &mut C,
    batch: &[WriteOp],
    order: &[usize],
    results: &mut [Option<Applied>],
    shared: &Shared,
    routing_cache: &mut RoutingCache,
    now: i64,
) -> Result<Vec<ClaimedDelivery>, StoreError> {
    let dispatches: Vec<usize> = order
        .iter()
        .copied()
        .filter(|index| matches!(batch[*index], WriteOp::Dispatch { .. }))
        .collect();
    if dispatches.is_empty() {
        return Ok(Vec::new());
    }
    let mut ordering_keys: Vec<&str> = dispatches
        .iter()
        .filter_map(|index| match &batch[*index] {
            WriteOp::Dispatch { event, .. } => event.ordering_key.as_deref(),
            _ => None,
        })
        .collect();
    ordering_keys.sort_unstable();
    ordering_keys.dedup();
    conn.lock_ordering_keys(&ordering_keys).await?;
    let table = routing_cache.current(conn).await?;
    let mut routed = Vec::with_capacity(dispatches.len());
    // Keyed dispatches that routing refused, decided after the inserts.
    let mut unroutable = Vec::new();
    for index in dispatches {
        let WriteOp::Dispatch { event, routing, .. } = &batch[index] else {
            unreachable!("filtered to dispatches");
        };
        match (route(&table, event, routing), &event.idempotency_key) {
            (Ok(targets), _) => routed.push((index, event, targets)),
            (Err(e), Some(key)) => unroutable.push((index, key.as_str(), e)),
            (Err(e), None) => results[index] = Some(Applied::Dispatch(Err(e))),
        }
    }
    let events: Vec<&Event> = routed.iter().map(|(_, event, _)| *event).collect();
    let inserted_ids: HashSet<String> = conn.insert_events(&events).await?;
    let inserted = events
        .iter()
        .map(|event| inserted_ids.contains(event.id.as_str()));
    // (endpoint, ordering key) pairs with a delivery before the new ones:
    // those are held until it finishes.
    let mut unfinished: HashSet<(String, String)> = conn
        .unfinished_ordering_keys(&ordering_keys)
        .await?
        .into_iter()
        .collect();
    let fresh = shared.fresh.get().map(Arc::as_ref);
    let lease = fresh.map(|fresh| fresh.lease(now));
    let mut budget = StartBudget::new(fresh, secrets_or_none(&shared.secrets));
    let mut new_deliveries = Vec::new();
    let mut duplicates = Vec::new();
    for ((index, event, targets), inserted) in routed.into_iter().zip(inserted) {
        if !inserted {
            duplicates.push((index, event));
            continue;
        }
        let first = new_deliveries.len();
        new_deliveries.extend(targets.into_iter().map(|endpoint| {
            let endpoint_id = endpoint.id.as_str();
            // Keyed deliveries keep to the claim, which orders their key.
            let held = event
                .ordering_key
                .as_ref()
                .is_some_and(|key| !unfinished.insert((endpoint_id.to_owned(), key.clone())));
            let starts_now = event.ordering_key.is_none() && budget.take(endpoint);
            NewDelivery {
                id: DeliveryId::generate(),
                event,
                endpoint_id,
                held,
                lease: lease.as_ref().filter(|_| starts_now),
                paused: !endpoint.active,
            }
        }));
        results[index] = Some(Applied::Dispatch(Ok(DispatchOutcome::Created {
            event_id: event.id.clone(),
            deliveries: new_deliveries[first..]
                .iter()
                .map(|delivery| RoutedDelivery {
                    id: delivery.id.clone(),
                    endpoint_id: EndpointId::from_stored(delivery.endpoint_id.to_owned()),
                    started: delivery.lease.is_some(),
                    paused: delivery.paused,
                })
                .collect(),
        })));
    }
    if !new_deliveries.is_empty() {
        conn.insert_deliveries(&new_deliveries).await?;
        // Only deliveries a claim could take need announcing: a paused
        // one waits for its endpoint's enabling, which wakes the schedulers.
        if new_deliveries
            .iter()
            .any(|delivery| delivery.lease.is_none() && !delivery.paused)
        {
            conn.announce_due_work(shared.origin.as_str()).await?;
        }
    }
    // Built from what this batch wrote and routed with, rather than read
    // back: the rows are exactly what was just inserted.
    let started = new_deliveries
        .iter()
        .filter_map(|delivery| {
            let lease = delivery.lease?;
            // Always there: a start is taken only where the endpoint opened.
            let sending = budget.sending(delivery.endpoint_id)?;
            Some(sending.clone().into_start(DeliveryStart {
                delivery_id: delivery.id.clone(),
                event_id: delivery.event.id.clone(),
                event_type: delivery.event.event_type.clone(),
                payload: bytes::Bytes::copy_from_slice(delivery.event.payload.as_bytes()),
                endpoint_id: EndpointId::from_stored(delivery.endpoint_id.to_owned()),
                attempt_number: 1,
                cycle_start: 0,
                lease_token: lease.token.clone(),
                ordering_key: delivery.event.ordering_key.clone(),
                trace: delivery.event.trace.clone(),
            }))
        })
        .collect();
    // After the inserts, so a key used twice in this batch finds the
    // deliveries of its first use.
    answer_repeated_keys(conn, duplicates, unroutable, results).await?;
    Ok(started)
}

/// How many of a batch's new deliveries may start at once, as
/// `FreshStarts` allows: asked once per endpoint, then counted down.
struct StartBudget<'a> {
    fresh: Option<&'a dyn FreshStarts>,
    /// Slots left for all endpoints together; asked on first use.
    free: Option<usize>,
    room: HashMap<&'a str, usize>,
    /// Opens the endpoints' secrets.
    secrets: &'a SecretKeys,
    /// How each endpoint's deliveries are sent, opened on first use;
    /// `None` where that failed.
    sending: HashMap<&'a str, Option<Sending>>,
}

impl<'a> StartBudget<'a> {
    fn new(fresh: Option<&'a dyn FreshStarts>, secrets: &'a SecretKeys) -> Self {
        StartBudget {
            fresh,
            free: None,
            room: HashMap::new(),
            secrets,
            sending: HashMap::new(),
        }
    }

    /// Takes a start for a new delivery to `endpoint`, if one is left. A
    /// disabled endpoint's deliveries wait, paused, for a claim.
    fn take(&mut self, endpoint: &'a RoutingEndpoint) -> bool {
        let Some(fresh) = self.fresh.filter(|_| endpoint.active) else {
            return false;
        };
        if !self.opens(endpoint) {
            return false;
        }
        let free = self.free.get_or_insert_with(|| fresh.free_slots());
        let room = self
            .room
            .entry(endpoint.id.as_str())
            .or_insert_with(|| fresh.endpoint_room(&endpoint.id, endpoint.max_concurrent));
        if *free == 0 || *room == 0 {
            return false;
        }
        *free -= 1;
        *room -= 1;
        true
    }

    /// Whether `endpoint`'s columns read and its secrets open. Where they
    /// do not (a secret sealed with a key this instance lacks), its new
    /// deliveries wait for the claim, which reports the fault when they
    /// come due, as it always did; the dispatch still succeeds.
    fn opens(&mut self, endpoint: &'a RoutingEndpoint) -> bool {
        let secrets = self.secrets;
        self.sending
            .entry(endpoint.id.as_str())
            .or_insert_with(|| match endpoint.sending.clone().open(&endpoint.id, secrets) {
                Ok(sending) => Some(sending),
                Err(e) => {
                    warn!(endpoint_id = %endpoint.id, error.message = %e, "new deliveries to this endpoint cannot start at once; they wait for the scheduler");
                    None
                }
            })
            .is_some()
    }

    /// How `endpoint_id`'s deliveries are sent, if a start was taken for it.
    fn sending(&self, endpoint_id: &str) -> Option<&Sending> {
        self.sending.get(endpoint_id)?.as_ref()
    }
}

/// Appends the attempts and moves their deliveries in bulk, then updates
/// endpoint health.
async fn apply_records<C: BatchConnection>(
    conn: &mut C,
    batch: &[WriteOp],
    order: &[usize],
    results: &mut [Option<Applied>],
    now: i64,
) -> Result<(), StoreError> {
    let records: Vec<(usize, &AttemptResult)> = order
        .iter()
        .filter_map(|index| match &batch[*index] {
            WriteOp::Record { result, .. } => Some((*index, result)),
            WriteOp::Dispatch { .. } | WriteOp::Probe { .. } => None,
        })
        .collect();
    if records.is_empty() {
        return Ok(());
    }
    let attempts: Vec<&AttemptResult> = records.iter().map(|(_, result)| *result).collect();
    let moved_ids = conn.record_attempts(&attempts, now).await?;
    let moved = attempts
        .iter()
        .map(|result| moved_ids.contains(result.attempt.delivery_id.as_str()));
    // Endpoint rows are locked in ascending endpoint order (records are
    // sorted so), resets of all-healthy endpoints in bulk, endpoints with
    // a failure in this batch result by result, in queue order, so the
    // count at the threshold is exact.
    let failing: HashSet<&str> = records
        .iter()
        .filter(|(_, result)| result.verdict != EndpointVerdict::Healthy)
        .map(|(_, result)| result.endpoint_id.as_str())
        .collect();
    let mut healthy: Vec<&str> = Vec::new();
    for ((index, result), moved) in records.into_iter().zip(moved) {
        let endpoint = result.endpoint_id.as_str();
        let outcome = if !moved {
            RecordOutcome::LeaseLost
        } else if !failing.contains(endpoint) {
            // Sorted by endpoint: a repeat is the previous entry.
            if healthy.last() != Some(&endpoint) {
                healthy.push(endpoint);
            }
            RecordOutcome::Recorded { disabled: None }
        } else {
            if !healthy.is_empty() {
                conn.reset_failures(&healthy).await?;
                healthy.clear();
            }
            let disabled = if result.verdict == EndpointVerdict::Healthy {
                conn.reset_failures(&[endpoint]).await?;
                None
            } else {
                endpoint_failed(conn, result, now).await?
            };
            RecordOutcome::Recorded { disabled }
        };
        results[index] = Some(Applied::Record(outcome));
        if moved {
            release_next_in_order(conn, result, now).await?;
        }
    }
    if !healthy.is_empty() {
        conn.reset_failures(&healthy).await?;
    }
    Ok(())
}

/// A delivery of an ordering key that finished (delivered or given up)
/// lets the next one of its key at its endpoint go.
async fn release_next_in_order<C: BatchConnection>(
    conn: &mut C,
    result: &AttemptResult,
    now: i64,
) -> Result<(), StoreError> {
    let (Some(key), None) = (&result.ordering_key, result.transition.retry_at()) else {
        return Ok(());
    };
    conn.release_ordered_head(result.endpoint_id.as_str(), key, now)
        .await?;
    Ok(())
}

/// Answers dispatches whose idempotency key was used before: with the
/// earlier dispatch, or, for a refused one whose key was never used, with
/// the refusal.
async fn answer_repeated_keys<C: BatchConnection>(
    conn: &mut C,
    duplicates: Vec<(usize, &Event)>,
    unroutable: Vec<(usize, &str, StoreError)>,
    results: &mut [Option<Applied>],
) -> Result<(), StoreError> {
    for (index, event) in duplicates {
        let key = event
            .idempotency_key
            .as_deref()
            .expect("only the idempotency key can conflict on insert");
        let duplicate = earlier_dispatch(conn, key).await?.ok_or_else(|| {
            StoreError::Internal(format!(
                "idempotency key `{key}` conflicted but no event has it"
            ))
        })?;
        results[index] = Some(Applied::Dispatch(Ok(duplicate)));
    }
    // A retry of a keyed dispatch whose targets were disabled or deleted
    // since it was stored is still a duplicate; only a key never used
    // gets the refusal.
    for (index, key, refusal) in unroutable {
        let outcome = earlier_dispatch(conn, key).await?.ok_or(refusal);
        results[index] = Some(Applied::Dispatch(outcome));
    }
    Ok(())
}

/// The dispatch that stored the event of idempotency key `key`, as a
/// duplicate of it; `None` when no event has the key.
async fn earlier_dispatch<C: BatchConnection>(
    conn: &mut C,
    key: &str,
) -> Result<Option<DispatchOutcome>, StoreError> {
    let Some((event_id, delivery_ids)) = conn.existing_dispatch(key).await? else {
        return Ok(None);
    };
    Ok(Some(DispatchOutcome::Duplicate {
        event_id: crate::domain::EventId::from_stored(event_id),
        delivery_ids: delivery_ids
            .into_iter()
            .map(DeliveryId::from_stored)
            .collect(),
    }))
}

/// Counts a failure against the endpoint and disables it when the verdict
/// says so; returns the reason when this attempt disabled it.
async fn endpoint_failed<C: BatchConnection>(
    conn: &mut C,
    result: &AttemptResult,
    now: i64,
) -> Result<Option<String>, StoreError> {
    let endpoint = result.endpoint_id.as_str();
    let failures = conn.count_failure(endpoint).await?;
    let last_error = result.attempt.error_message.as_deref().unwrap_or("unknown");
    let reason = match (&result.verdict, failures) {
        (EndpointVerdict::Gone, _) => {
            Some(format!("the receiver answered 410 Gone ({last_error})"))
        }
        (EndpointVerdict::Failing { disable_after }, Some(count))
            if count >= i64::from(*disable_after) =>
        {
            Some(format!(
                "{count} consecutive failed attempts (last: {last_error})"
            ))
        }
        _ => None,
    };
    let Some(reason) = reason else {
        return Ok(None);
    };
    let disabled = conn.auto_disable(endpoint, &reason, now).await?;
    Ok(disabled.then_some(reason))
}

/// The order to apply a batch in: dispatches first, keyed ones sorted by
/// idempotency key (they are inserted in this order), then attempt results
/// sorted by endpoint. Concurrent batches (several writers, several
/// instances) then take the row locks they share (idempotency keys, endpoint
/// failure counts) in one global order, which cannot deadlock.
fn lock_order(batch: &[WriteOp]) -> Vec<usize> {
    // (section, lock key): sections sort first, then keys within them.
    let key = |index: &usize| match &batch[*index] {
        WriteOp::Dispatch { event, .. } => match event.idempotency_key.as_deref() {
            Some(key) => (0, Some(key)),
            None => (2, None),
        },
        WriteOp::Record { result, .. } => (1, Some(result.endpoint_id.as_str())),
        WriteOp::Probe { .. } => (3, None),
    };
    let mut order: Vec<usize> = (0..batch.len()).collect();
    // Stable: operations without a lock key keep their queue order.
    order.sort_by(|a, b| key(a).cmp(&key(b)));
    order
}
