//! Group commit for the hot writes, shared by the backends. Dispatches and
//! attempt results queue here; one task takes everything queued (up to
//! `MAX_BATCH`) and writes it in one transaction. Each caller is answered only
//! after that transaction committed, so "durable before acknowledged" holds
//! while the cost of a commit is shared.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::{Mutex, mpsc, oneshot};
use tracing::error;

use super::rows::RoutingRow;
use super::{
    AttemptResult, DispatchOutcome, Event, RecordOutcome, RoutedDelivery, Routing, StoreError,
    now_millis,
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

    /// Inserts the event; `false` when its idempotency key is already taken.
    async fn insert_event(&mut self, event: &Event) -> Result<bool, StoreError>;

    /// The original dispatch of an idempotency key.
    async fn existing_dispatch(&mut self, key: &str) -> Result<DispatchOutcome, StoreError>;

    /// Inserts one pending delivery per (delivery id, endpoint id).
    async fn insert_deliveries(
        &mut self,
        event: &Event,
        deliveries: &[(DeliveryId, &str)],
    ) -> Result<(), StoreError>;

    /// Appends the attempt and, if the lease still holds, moves the
    /// delivery and updates the endpoint's health.
    async fn record_attempt(
        &mut self,
        result: &AttemptResult,
        now: i64,
    ) -> Result<RecordOutcome, StoreError>;

    /// Tells other instances that new deliveries are due (PostgreSQL).
    async fn announce_due_work(&mut self) -> Result<(), StoreError> {
        Ok(())
    }

    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

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
}

/// The sending side of the writer task.
#[derive(Debug, Clone)]
pub(super) struct BatchWriter {
    queue: mpsc::Sender<WriteOp>,
}

impl BatchWriter {
    /// Starts `writers` writer tasks that take turns at the queue, each
    /// writing its own batches; they end when every `BatchWriter` is dropped.
    /// SQLite wants one; PostgreSQL overlaps the round trips of several.
    pub(super) fn spawn(backend: impl BatchBackend, writers: usize) -> Self {
        let (queue, receiver) = mpsc::channel(QUEUE_CAPACITY);
        let receiver = Arc::new(Mutex::new(receiver));
        let backend = Arc::new(backend);
        for _ in 0..writers.max(1) {
            tokio::spawn(run(Arc::clone(&backend), Arc::clone(&receiver)));
        }
        BatchWriter { queue }
    }

    pub(super) async fn dispatch(
        &self,
        event: Event,
        routing: Routing,
    ) -> Result<DispatchOutcome, StoreError> {
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
}

async fn run<B: BatchBackend>(backend: Arc<B>, queue: Arc<Mutex<mpsc::Receiver<WriteOp>>>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        // The lock is held only while taking a batch, so another writer
        // can take the next one while this one writes.
        let taken = queue.lock().await.recv_many(&mut batch, MAX_BATCH).await;
        if taken == 0 {
            return;
        }
        match apply_batch(backend.as_ref(), &batch).await {
            Ok(results) => {
                for (op, applied) in batch.drain(..).zip(results) {
                    match (op, applied) {
                        (WriteOp::Dispatch { reply, .. }, Applied::Dispatch(result)) => {
                            let _ = reply.send(result);
                        }
                        (WriteOp::Record { reply, .. }, Applied::Record(outcome)) => {
                            let _ = reply.send(Ok(outcome));
                        }
                        _ => unreachable!("results are produced in operation order"),
                    }
                }
            }
            Err(e) => {
                error!(error.message = %e, operations = batch.len(), "write batch failed and was rolled back");
                let reason = e.to_string();
                for op in batch.drain(..) {
                    let error = StoreError::Unavailable(reason.clone());
                    match op {
                        WriteOp::Dispatch { reply, .. } => {
                            let _ = reply.send(Err(error));
                        }
                        WriteOp::Record { reply, .. } => {
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
    let endpoints: Vec<RoutingEndpoint> = if batch
        .iter()
        .any(|op| matches!(op, WriteOp::Dispatch { .. }))
    {
        tx.load_endpoints()
            .await?
            .into_iter()
            .map(RoutingEndpoint::try_from)
            .collect::<Result<_, _>>()?
    } else {
        Vec::new()
    };
    let now = now_millis();
    let mut new_deliveries = false;
    let mut results: Vec<Option<Applied>> = (0..batch.len()).map(|_| None).collect();
    for index in lock_order(batch) {
        let op = &batch[index];
        results[index] = Some(match op {
            WriteOp::Dispatch { event, routing, .. } => {
                let result = dispatch(tx.as_mut(), &endpoints, event, routing).await?;
                new_deliveries |= matches!(&result, Ok(DispatchOutcome::Created { deliveries, .. }) if !deliveries.is_empty());
                Applied::Dispatch(result)
            }
            WriteOp::Record { result, .. } => {
                Applied::Record(tx.record_attempt(result, now).await?)
            }
        });
    }
    if new_deliveries {
        tx.announce_due_work().await?;
    }
    tx.commit().await?;
    Ok(results
        .into_iter()
        .map(|applied| applied.expect("every operation was applied"))
        .collect())
}

/// The order to apply a batch in: keyed dispatches sorted by idempotency
/// key, then attempt results sorted by endpoint, then the rest as queued.
/// Concurrent batches (several writers, several instances) then take the
/// row locks they share (idempotency keys, endpoint failure counts) in one
/// global order, which cannot deadlock.
fn lock_order(batch: &[WriteOp]) -> Vec<usize> {
    // (section, lock key): sections sort first, then keys within them.
    let key = |index: &usize| match &batch[*index] {
        WriteOp::Dispatch { event, .. } => match event.idempotency_key.as_deref() {
            Some(key) => (0, Some(key)),
            None => (2, None),
        },
        WriteOp::Record { result, .. } => (1, Some(result.endpoint_id.as_str())),
    };
    let mut order: Vec<usize> = (0..batch.len()).collect();
    // Stable: operations without a lock key keep their queue order.
    order.sort_by(|a, b| key(a).cmp(&key(b)));
    order
}

/// Stores one event and its deliveries. The outer error aborts the batch;
/// the inner one answers this caller only, and nothing of it was written.
async fn dispatch(
    tx: &mut dyn WriteBatch,
    endpoints: &[RoutingEndpoint],
    event: &Event,
    routing: &Routing,
) -> Result<Result<DispatchOutcome, StoreError>, StoreError> {
    let endpoint_ids = match route(endpoints, &event.event_type, routing) {
        Ok(ids) => ids,
        Err(e) => return Ok(Err(e)),
    };
    if !tx.insert_event(event).await? {
        let key = event
            .idempotency_key
            .as_deref()
            .expect("only the idempotency key can conflict on insert");
        return Ok(Ok(tx.existing_dispatch(key).await?));
    }
    let deliveries: Vec<(DeliveryId, &str)> = endpoint_ids
        .into_iter()
        .map(|endpoint_id| (DeliveryId::generate(), endpoint_id))
        .collect();
    if !deliveries.is_empty() {
        tx.insert_deliveries(event, &deliveries).await?;
    }
    Ok(Ok(DispatchOutcome::Created {
        event_id: event.id.clone(),
        deliveries: deliveries
            .into_iter()
            .map(|(id, endpoint_id)| RoutedDelivery {
                id,
                endpoint_id: EndpointId::from_stored(endpoint_id.to_owned()),
            })
            .collect(),
    }))
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

            async fn insert_event(
                &mut self,
                event: &$crate::store::Event,
            ) -> Result<bool, $crate::store::StoreError> {
                // On PostgreSQL a concurrent insert of the same key by another
                // transaction makes this wait for it, then do nothing if it
                // committed.
                let inserted = sqlx::query(
                    "INSERT INTO events (id, event_type, payload, idempotency_key, created_at)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (idempotency_key) DO NOTHING",
                )
                .bind(event.id.as_str())
                .bind(event.event_type.as_str())
                .bind(event.payload.as_bytes())
                .bind(event.idempotency_key.as_deref())
                .bind(event.created_at)
                .execute(&mut *self.0)
                .await?;
                Ok(inserted.rows_affected() == 1)
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
                event: &$crate::store::Event,
                deliveries: &[($crate::domain::DeliveryId, &str)],
            ) -> Result<(), $crate::store::StoreError> {
                let mut insert = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO deliveries (id, event_id, endpoint_id, state, next_attempt_at, created_at, updated_at) ",
                );
                insert.push_values(deliveries, |mut row, (delivery_id, endpoint_id)| {
                    row.push_bind(delivery_id.as_str())
                        .push_bind(event.id.as_str())
                        .push_bind(*endpoint_id)
                        .push_bind($crate::domain::DeliveryState::Pending.as_str())
                        .push_bind(event.created_at)
                        .push_bind(event.created_at)
                        .push_bind(event.created_at);
                });
                insert.build().execute(&mut *self.0).await?;
                Ok(())
            }

            async fn record_attempt(
                &mut self,
                result: &$crate::store::AttemptResult,
                now: i64,
            ) -> Result<$crate::store::RecordOutcome, $crate::store::StoreError> {
                use $crate::store::{EndpointVerdict, RecordOutcome};
                let attempt = &result.attempt;
                sqlx::query(
                    "INSERT INTO attempts (delivery_id, attempt_number, started_at, duration_ms, http_status,
                                           error_kind, error_message, response_excerpt, instance_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(attempt.delivery_id.as_str())
                .bind(i64::from(attempt.attempt_number))
                .bind(attempt.started_at)
                .bind(attempt.duration_ms)
                .bind(attempt.http_status.map(i64::from))
                .bind(attempt.error_kind.map(|kind| kind.as_str()))
                .bind(attempt.error_message.as_deref())
                .bind(attempt.response_excerpt.as_deref())
                .bind(attempt.instance_id.as_deref())
                .execute(&mut *self.0)
                .await?;
                let updated = sqlx::query(
                    "UPDATE deliveries
                     SET state = $1, attempt_count = $2, next_attempt_at = COALESCE($3, next_attempt_at),
                         last_error = $4, lease_owner = NULL, lease_token = NULL, leased_until = NULL,
                         updated_at = $5
                     WHERE id = $6 AND lease_token = $7",
                )
                .bind(result.transition.state().as_str())
                .bind(i64::from(attempt.attempt_number))
                .bind(result.transition.retry_at())
                .bind(attempt.error_message.as_deref())
                .bind(now)
                .bind(attempt.delivery_id.as_str())
                .bind(&result.lease_token)
                .execute(&mut *self.0)
                .await?;
                if updated.rows_affected() != 1 {
                    return Ok(RecordOutcome::LeaseLost);
                }
                // The failure count lives in the database, so it is right
                // however many instances deliver to the endpoint. A success
                // on a healthy endpoint matches no row and takes no lock, so
                // the hot path never contends on endpoint rows.
                if result.verdict == EndpointVerdict::Healthy {
                    sqlx::query(
                        "UPDATE endpoints SET consecutive_failures = 0 WHERE id = $1 AND consecutive_failures <> 0",
                    )
                    .bind(result.endpoint_id.as_str())
                    .execute(&mut *self.0)
                    .await?;
                    return Ok(RecordOutcome::Recorded { disabled: None });
                }
                let failures: Option<i64> = sqlx::query_scalar(
                    "UPDATE endpoints SET consecutive_failures = consecutive_failures + 1
                     WHERE id = $1 RETURNING consecutive_failures",
                )
                .bind(result.endpoint_id.as_str())
                .fetch_optional(&mut *self.0)
                .await?;
                let last_error = attempt.error_message.as_deref().unwrap_or("unknown");
                let reason = match (&result.verdict, failures) {
                    (EndpointVerdict::Gone, _) => Some(format!("the receiver answered 410 Gone ({last_error})")),
                    (EndpointVerdict::Failing { disable_after }, Some(count)) if count >= i64::from(*disable_after) => {
                        Some(format!("{count} consecutive failed attempts (last: {last_error})"))
                    }
                    _ => None,
                };
                let Some(reason) = reason else {
                    return Ok(RecordOutcome::Recorded { disabled: None });
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
                Ok(RecordOutcome::Recorded {
                    disabled: (disabled == 1).then_some(reason),
                })
            }

            async fn commit(self: Box<Self>) -> Result<(), $crate::store::StoreError> {
                Ok(self.0.commit().await?)
            }

            $($extra)*
        }
    };
}

pub(super) use impl_write_batch;
