//! Group commit for the hot writes, shared by the backends. Dispatches and
//! attempt results queue here; one task takes everything queued (up to
//! `MAX_BATCH`) and writes it in one transaction. Each caller is answered only
//! after that transaction committed, so "durable before acknowledged" holds
//! while the cost of a commit is shared.

use std::sync::{Arc, Mutex as SyncMutex};

use async_trait::async_trait;
use tokio::sync::{Mutex, mpsc, oneshot};
use tracing::{error, info};

use super::rows::RoutingRow;
use super::{
    AttemptResult, DispatchOutcome, EndpointVerdict, Event, RecordOutcome, RoutedDelivery, Routing,
    StoreError, now_millis,
};
use crate::domain::{DeliveryId, EndpointId, EventPattern, EventType};

/// Most operations written in one transaction.
const MAX_BATCH: usize = 256;

/// Operations waiting for the writer; callers wait when it is full.
const QUEUE_CAPACITY: usize = 4096;

/// One open write transaction of a backend.
#[async_trait]
pub(super) trait WriteBatch: Send {
    async fn load_endpoints(&mut self) -> Result<Vec<RoutingRow>, StoreError>;

    /// Inserts the events in one statement, in the order given; returns,
    /// per event, `false` when its idempotency key was already taken.
    async fn insert_events(&mut self, events: &[&Event]) -> Result<Vec<bool>, StoreError>;

    /// The original dispatch of an idempotency key.
    async fn existing_dispatch(&mut self, key: &str) -> Result<DispatchOutcome, StoreError>;

    /// Inserts one pending delivery per (event, delivery id, endpoint id),
    /// a few statements for the whole batch.
    async fn insert_deliveries(&mut self, deliveries: &[NewDelivery<'_>])
    -> Result<(), StoreError>;

    /// Appends the attempts and moves each delivery whose lease still
    /// holds, in one statement each; returns, per result, whether it moved.
    async fn record_attempts(
        &mut self,
        results: &[&AttemptResult],
        now: i64,
    ) -> Result<Vec<bool>, StoreError>;

    /// Clears the failure counts of endpoints that just succeeded.
    async fn reset_failures(&mut self, endpoint_ids: &[&str]) -> Result<(), StoreError>;

    /// Counts a failure against the endpoint and disables it when the
    /// verdict says so; returns the reason when this disabled it.
    async fn endpoint_failed(
        &mut self,
        result: &AttemptResult,
        now: i64,
    ) -> Result<Option<String>, StoreError>;

    /// Tells other instances that new deliveries are due (PostgreSQL).
    async fn announce_due_work(&mut self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Overwrites the probe row with `ballast`, a write about the size of a
    /// small batch, to learn whether writes commit again.
    async fn write_probe(&mut self, ballast: &[u8], now: i64) -> Result<(), StoreError>;

    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// A delivery a dispatch creates.
pub(super) struct NewDelivery<'a> {
    pub id: DeliveryId,
    pub event: &'a Event,
    pub endpoint_id: &'a str,
}

/// Rows per multi-row statement, well under both backends' limits on
/// bound parameters.
pub(super) const ROWS_PER_STATEMENT: usize = 1000;

/// Opens write transactions.
#[async_trait]
pub(super) trait BatchBackend: Send + Sync + 'static {
    async fn begin(&self) -> Result<Box<dyn WriteBatch>, StoreError>;
}

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
/// NOT_SERVING, and it serves again after the next write commits.
#[derive(Debug, Default)]
pub struct WriteHealth {
    /// Guarded by a std mutex: held for a field copy, never across `.await`.
    state: SyncMutex<WriteState>,
}

#[derive(Debug, Default)]
struct WriteState {
    /// Why the last write batch failed; `None` after one committed.
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

/// The sending side of the writer task.
#[derive(Debug, Clone)]
pub(super) struct BatchWriter {
    queue: mpsc::Sender<WriteOp>,
    health: Arc<WriteHealth>,
}

impl BatchWriter {
    /// Starts `writers` writer tasks that take turns at the queue, each
    /// writing its own batches; they end when every `BatchWriter` is dropped.
    /// SQLite wants one; PostgreSQL overlaps the round trips of several.
    pub(super) fn spawn(backend: impl BatchBackend, writers: usize) -> Self {
        let (queue, receiver) = mpsc::channel(QUEUE_CAPACITY);
        let receiver = Arc::new(Mutex::new(receiver));
        let backend = Arc::new(backend);
        let health = Arc::new(WriteHealth::default());
        for _ in 0..writers.max(1) {
            tokio::spawn(run(
                Arc::clone(&backend),
                Arc::clone(&receiver),
                Arc::clone(&health),
            ));
        }
        BatchWriter { queue, health }
    }

    pub(super) fn health(&self) -> &WriteHealth {
        &self.health
    }

    pub(super) async fn dispatch(
        &self,
        event: Event,
        routing: Routing,
    ) -> Result<DispatchOutcome, StoreError> {
        if let Some(reason) = self.health.refused() {
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

async fn run<B: BatchBackend>(
    backend: Arc<B>,
    queue: Arc<Mutex<mpsc::Receiver<WriteOp>>>,
    health: Arc<WriteHealth>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        // The lock is held only while taking a batch, so another writer
        // can take the next one while this one writes.
        let taken = queue.lock().await.recv_many(&mut batch, MAX_BATCH).await;
        if taken == 0 {
            return;
        }
        // Nobody is answered before the outcome of the commit is known: a
        // caller told OK has its rows committed, any other gets an error.
        match apply_batch(backend.as_ref(), &batch).await {
            Ok(results) => {
                health.committed();
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

/// An endpoint as routing sees it, patterns parsed once per batch.
struct RoutingEndpoint {
    id: String,
    patterns: Vec<EventPattern>,
    active: bool,
}

impl TryFrom<RoutingRow> for RoutingEndpoint {
    type Error = StoreError;

    fn try_from(row: RoutingRow) -> Result<Self, StoreError> {
        let raw: Vec<String> = serde_json::from_str(&row.event_patterns).map_err(|e| {
            StoreError::Corrupt(format!(
                "endpoint `{}` has unreadable event patterns: {e}",
                row.id
            ))
        })?;
        let patterns = raw
            .iter()
            .map(|pattern| EventPattern::parse(pattern))
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Corrupt(format!("endpoint `{}`: {e}", row.id)))?;
        Ok(RoutingEndpoint {
            id: row.id,
            patterns,
            active: row.active,
        })
    }
}

async fn apply_batch(
    backend: &impl BatchBackend,
    batch: &[WriteOp],
) -> Result<Vec<Applied>, StoreError> {
    let mut tx = backend.begin().await?;
    let now = now_millis();
    let order = lock_order(batch);
    let mut results: Vec<Option<Applied>> = (0..batch.len()).map(|_| None).collect();

    // Dispatches: route every event, insert the events in one statement and
    // their deliveries in another.
    let dispatches: Vec<usize> = order
        .iter()
        .copied()
        .filter(|index| matches!(batch[*index], WriteOp::Dispatch { .. }))
        .collect();
    if !dispatches.is_empty() {
        let endpoints: Vec<RoutingEndpoint> = tx
            .load_endpoints()
            .await?
            .into_iter()
            .map(RoutingEndpoint::try_from)
            .collect::<Result<_, _>>()?;
        let mut routed = Vec::with_capacity(dispatches.len());
        for index in dispatches {
            let WriteOp::Dispatch { event, routing, .. } = &batch[index] else {
                unreachable!("filtered to dispatches");
            };
            match route(&endpoints, &event.event_type, routing) {
                Ok(endpoint_ids) => routed.push((index, event, endpoint_ids)),
                Err(e) => results[index] = Some(Applied::Dispatch(Err(e))),
            }
        }
        let events: Vec<&Event> = routed.iter().map(|(_, event, _)| *event).collect();
        let inserted = tx.insert_events(&events).await?;
        let mut new_deliveries = Vec::new();
        let mut duplicates = Vec::new();
        for ((index, event, endpoint_ids), inserted) in routed.into_iter().zip(inserted) {
            if !inserted {
                duplicates.push((index, event));
                continue;
            }
            let first = new_deliveries.len();
            new_deliveries.extend(endpoint_ids.into_iter().map(|endpoint_id| NewDelivery {
                id: DeliveryId::generate(),
                event,
                endpoint_id,
            }));
            results[index] = Some(Applied::Dispatch(Ok(DispatchOutcome::Created {
                event_id: event.id.clone(),
                deliveries: new_deliveries[first..]
                    .iter()
                    .map(|delivery| RoutedDelivery {
                        id: delivery.id.clone(),
                        endpoint_id: EndpointId::from_stored(delivery.endpoint_id.to_owned()),
                    })
                    .collect(),
            })));
        }
        if !new_deliveries.is_empty() {
            tx.insert_deliveries(&new_deliveries).await?;
            tx.announce_due_work().await?;
        }
        // After the inserts, so a key used twice in this batch finds the
        // deliveries of its first use.
        for (index, event) in duplicates {
            let key = event
                .idempotency_key
                .as_deref()
                .expect("only the idempotency key can conflict on insert");
            results[index] = Some(Applied::Dispatch(Ok(tx.existing_dispatch(key).await?)));
        }
    }

    // Attempt results: append and move in bulk; endpoint health after.
    let records: Vec<(usize, &AttemptResult)> = order
        .iter()
        .filter_map(|index| match &batch[*index] {
            WriteOp::Record { result, .. } => Some((*index, result)),
            WriteOp::Dispatch { .. } | WriteOp::Probe { .. } => None,
        })
        .collect();
    if !records.is_empty() {
        let attempts: Vec<&AttemptResult> = records.iter().map(|(_, result)| *result).collect();
        let moved = tx.record_attempts(&attempts, now).await?;
        // Endpoint rows are locked in ascending endpoint order (records are
        // sorted so), resets of all-healthy endpoints in bulk, endpoints with
        // a failure in this batch result by result, in queue order, so the
        // count at the threshold is exact.
        let failing: std::collections::HashSet<&str> = records
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
                    tx.reset_failures(&healthy).await?;
                    healthy.clear();
                }
                let disabled = if result.verdict == EndpointVerdict::Healthy {
                    tx.reset_failures(&[endpoint]).await?;
                    None
                } else {
                    tx.endpoint_failed(result, now).await?
                };
                RecordOutcome::Recorded { disabled }
            };
            results[index] = Some(Applied::Record(outcome));
        }
        if !healthy.is_empty() {
            tx.reset_failures(&healthy).await?;
        }
    }

    let probes: Vec<usize> = (0..batch.len())
        .filter(|index| matches!(batch[*index], WriteOp::Probe { .. }))
        .collect();
    if !probes.is_empty() {
        tx.write_probe(&vec![0u8; PROBE_BALLAST_BYTES], now).await?;
        for index in probes {
            results[index] = Some(Applied::Probe);
        }
    }
    tx.commit().await?;
    Ok(results
        .into_iter()
        .map(|applied| applied.expect("every operation was applied"))
        .collect())
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

/// The endpoints an event goes to, or why it cannot be sent.
fn route<'e>(
    endpoints: &'e [RoutingEndpoint],
    event_type: &EventType,
    routing: &Routing,
) -> Result<Vec<&'e str>, StoreError> {
    match routing {
        Routing::Subscribed => Ok(endpoints
            .iter()
            // Disabled endpoints still get deliveries: paused until enabled.
            .filter(|e| e.patterns.iter().any(|p| p.matches(event_type)))
            .map(|e| e.id.as_str())
            .collect()),
        Routing::Targeted(targets) => {
            let mut routed: Vec<&str> = Vec::with_capacity(targets.len());
            for target in targets {
                let endpoint = endpoints
                    .iter()
                    .find(|e| e.id == target.as_str())
                    .ok_or_else(|| StoreError::EndpointNotFound(target.to_string()))?;
                if !endpoint.active {
                    return Err(StoreError::EndpointInactive(endpoint.id.clone()));
                }
                if !routed.contains(&endpoint.id.as_str()) {
                    routed.push(&endpoint.id);
                }
            }
            Ok(routed)
        }
    }
}

/// Implements `WriteBatch` for `$batch`, a newtype around an open
/// transaction of database `$db`. The SQL is shared: `$N` placeholders work
/// on both backends. `{ … }` holds backend-specific overrides.
macro_rules! impl_write_batch {
    ($batch:ty, $db:ty, { $($extra:tt)* }) => {
        #[async_trait::async_trait]
        impl $crate::store::batch::WriteBatch for $batch {
            async fn load_endpoints(
                &mut self,
            ) -> Result<Vec<$crate::store::rows::RoutingRow>, $crate::store::StoreError> {
                // Disabled endpoints are routed to, paused; deleted ones are not.
                Ok(sqlx::query_as(
                    "SELECT id, event_patterns, active FROM endpoints WHERE deleted_at IS NULL ORDER BY id",
                )
                .fetch_all(&mut *self.0)
                .await?)
            }

            async fn insert_events(
                &mut self,
                events: &[&$crate::store::Event],
            ) -> Result<Vec<bool>, $crate::store::StoreError> {
                use std::collections::HashSet;
                // On PostgreSQL a concurrent insert of the same key by another
                // transaction makes this wait for it, then skip the row if it
                // committed.
                let mut inserted: HashSet<String> = HashSet::with_capacity(events.len());
                for chunk in events.chunks($crate::store::batch::ROWS_PER_STATEMENT) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO events (id, event_type, payload, idempotency_key, created_at) ",
                    );
                    insert.push_values(chunk, |mut row, event| {
                        row.push_bind(event.id.as_str())
                            .push_bind(event.event_type.as_str())
                            .push_bind(event.payload.as_bytes())
                            .push_bind(event.idempotency_key.as_deref())
                            .push_bind(event.created_at);
                    });
                    insert.push(" ON CONFLICT (idempotency_key) DO NOTHING RETURNING id");
                    let ids: Vec<String> = insert
                        .build_query_scalar()
                        .fetch_all(&mut *self.0)
                        .await?;
                    inserted.extend(ids);
                }
                Ok(events
                    .iter()
                    .map(|event| inserted.contains(event.id.as_str()))
                    .collect())
            }

            async fn existing_dispatch(
                &mut self,
                key: &str,
            ) -> Result<$crate::store::DispatchOutcome, $crate::store::StoreError> {
                let event_id: String = sqlx::query_scalar("SELECT id FROM events WHERE idempotency_key = $1")
                    .bind(key)
                    .fetch_one(&mut *self.0)
                    .await?;
                let delivery_ids: Vec<String> = sqlx::query_scalar(
                    "SELECT id FROM deliveries WHERE event_id = $1 AND replay_of IS NULL ORDER BY id",
                )
                .bind(&event_id)
                .fetch_all(&mut *self.0)
                .await?;
                Ok($crate::store::DispatchOutcome::Duplicate {
                    event_id: $crate::domain::EventId::from_stored(event_id),
                    delivery_ids: delivery_ids
                        .into_iter()
                        .map($crate::domain::DeliveryId::from_stored)
                        .collect(),
                })
            }

            async fn insert_deliveries(
                &mut self,
                deliveries: &[$crate::store::batch::NewDelivery<'_>],
            ) -> Result<(), $crate::store::StoreError> {
                for chunk in deliveries.chunks($crate::store::batch::ROWS_PER_STATEMENT) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO deliveries (id, event_id, endpoint_id, state, next_attempt_at, created_at, updated_at) ",
                    );
                    insert.push_values(chunk, |mut row, delivery| {
                        row.push_bind(delivery.id.as_str())
                            .push_bind(delivery.event.id.as_str())
                            .push_bind(delivery.endpoint_id)
                            .push("'pending'")
                            .push_bind(delivery.event.created_at)
                            .push_bind(delivery.event.created_at)
                            .push_bind(delivery.event.created_at);
                    });
                    insert.build().execute(&mut *self.0).await?;
                }
                Ok(())
            }

            async fn record_attempts(
                &mut self,
                results: &[&$crate::store::AttemptResult],
                now: i64,
            ) -> Result<Vec<bool>, $crate::store::StoreError> {
                use std::collections::HashSet;
                let mut moved: HashSet<String> = HashSet::with_capacity(results.len());
                for chunk in results.chunks($crate::store::batch::ROWS_PER_STATEMENT) {
                    // Attempts are appended whether or not the lease still
                    // holds: they happened.
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO attempts (delivery_id, attempt_number, started_at, duration_ms, http_status,
                                               error_kind, error_message, response_excerpt, instance_id) ",
                    );
                    insert.push_values(chunk, |mut row, result| {
                        let attempt = &result.attempt;
                        row.push_bind(attempt.delivery_id.as_str())
                            .push_bind(i64::from(attempt.attempt_number))
                            .push_bind(attempt.started_at)
                            .push_bind(attempt.duration_ms)
                            .push_bind(attempt.http_status.map(i64::from))
                            .push_bind(attempt.error_kind.map(|kind| kind.as_str()))
                            .push_bind(attempt.error_message.as_deref())
                            .push_bind(attempt.response_excerpt.as_deref())
                            .push_bind(attempt.instance_id.as_deref());
                    });
                    insert.build().execute(&mut *self.0).await?;
                    // One UPDATE for the chunk; the lease token fences each row.
                    let mut update = sqlx::QueryBuilder::<$db>::new(
                        "WITH moves (id, lease_token, state, attempt_count, retry_at, last_error) AS (",
                    );
                    update.push_values(chunk, |mut row, result| {
                        row.push_bind(result.attempt.delivery_id.as_str())
                            .push_bind(result.lease_token.as_str())
                            .push_bind(result.transition.state().as_str())
                            .push_bind(i64::from(result.attempt.attempt_number))
                            .push_bind(result.transition.retry_at())
                            .push_bind(result.attempt.error_message.as_deref());
                    });
                    update.push(
                        ") UPDATE deliveries
                         SET state = moves.state, attempt_count = moves.attempt_count,
                             next_attempt_at = COALESCE(moves.retry_at, deliveries.next_attempt_at),
                             last_error = moves.last_error, lease_owner = NULL, lease_token = NULL,
                             leased_until = NULL, updated_at = ",
                    );
                    update.push_bind(now);
                    update.push(
                        " FROM moves WHERE deliveries.id = moves.id AND deliveries.lease_token = moves.lease_token
                         RETURNING deliveries.id",
                    );
                    let ids: Vec<String> = update
                        .build_query_scalar()
                        .fetch_all(&mut *self.0)
                        .await?;
                    moved.extend(ids);
                }
                Ok(results
                    .iter()
                    .map(|result| moved.contains(result.attempt.delivery_id.as_str()))
                    .collect())
            }

            async fn reset_failures(
                &mut self,
                endpoint_ids: &[&str],
            ) -> Result<(), $crate::store::StoreError> {
                // A healthy endpoint matches no row and takes no lock, so the
                // hot path never contends on endpoint rows.
                let mut update = sqlx::QueryBuilder::<$db>::new(
                    "UPDATE endpoints SET consecutive_failures = 0 WHERE consecutive_failures <> 0 AND id IN (",
                );
                let mut ids = update.separated(", ");
                for id in endpoint_ids {
                    ids.push_bind(*id);
                }
                update.push(")");
                update.build().execute(&mut *self.0).await?;
                Ok(())
            }

            async fn endpoint_failed(
                &mut self,
                result: &$crate::store::AttemptResult,
                now: i64,
            ) -> Result<Option<String>, $crate::store::StoreError> {
                use $crate::store::EndpointVerdict;
                // The failure count lives in the database, so it is right
                // however many instances deliver to the endpoint.
                let failures: Option<i64> = sqlx::query_scalar(
                    "UPDATE endpoints SET consecutive_failures = consecutive_failures + 1
                     WHERE id = $1 RETURNING consecutive_failures",
                )
                .bind(result.endpoint_id.as_str())
                .fetch_optional(&mut *self.0)
                .await?;
                let last_error = result.attempt.error_message.as_deref().unwrap_or("unknown");
                let reason = match (&result.verdict, failures) {
                    (EndpointVerdict::Gone, _) => Some(format!("the receiver answered 410 Gone ({last_error})")),
                    (EndpointVerdict::Failing { disable_after }, Some(count)) if count >= i64::from(*disable_after) => {
                        Some(format!("{count} consecutive failed attempts (last: {last_error})"))
                    }
                    _ => None,
                };
                let Some(reason) = reason else {
                    return Ok(None);
                };
                let disabled = sqlx::query(
                    "UPDATE endpoints SET active = FALSE, auto_disabled = TRUE, disabled_reason = $1, disabled_at = $2,
                         updated_at = $2
                     WHERE id = $3 AND active",
                )
                .bind(&reason)
                .bind(now)
                .bind(result.endpoint_id.as_str())
                .execute(&mut *self.0)
                .await?
                .rows_affected();
                Ok((disabled == 1).then_some(reason))
            }

            async fn write_probe(
                &mut self,
                ballast: &[u8],
                now: i64,
            ) -> Result<(), $crate::store::StoreError> {
                sqlx::query(
                    "INSERT INTO store_probes (name, probed_at, ballast) VALUES ('write', $1, $2)
                     ON CONFLICT (name) DO UPDATE SET probed_at = excluded.probed_at, ballast = excluded.ballast",
                )
                .bind(now)
                .bind(ballast)
                .execute(&mut *self.0)
                .await?;
                Ok(())
            }

            async fn commit(self: Box<Self>) -> Result<(), $crate::store::StoreError> {
                Ok(self.0.commit().await?)
            }

            $($extra)*
        }
    };
}

pub(super) use impl_write_batch;
