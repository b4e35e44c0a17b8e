//! Group commit for the hot writes. Dispatches and attempt results queue
//! here; one task takes everything queued (up to `MAX_BATCH`) and writes it
//! in one transaction on the single writer connection. Each caller gets its
//! answer only after that transaction committed, so "durable before
//! acknowledged" holds while the commit cost is shared.

use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};
use tokio::sync::{mpsc, oneshot};
use tracing::error;

use super::{SqliteTx, parse_patterns};
use crate::domain::{DeliveryId, DeliveryState, EventId, EventType, subscribes};
use crate::store::{
    AttemptRecord, DeliveryTransition, DispatchOutcome, NewEvent, RecordOutcome, Routing,
    StoreError, now_millis,
};

/// Most operations written in one transaction.
const MAX_BATCH: usize = 256;

/// Operations waiting for the writer; callers wait when it is full.
const QUEUE_CAPACITY: usize = 4096;

pub(super) enum WriteOp {
    Dispatch {
        event: NewEvent,
        routing: Routing,
        reply: oneshot::Sender<Result<DispatchOutcome, StoreError>>,
    },
    Record {
        lease_token: String,
        attempt: AttemptRecord,
        transition: DeliveryTransition,
        reply: oneshot::Sender<Result<RecordOutcome, StoreError>>,
    },
}

/// What one operation produced inside a batch that committed.
enum Applied {
    Dispatch(Result<DispatchOutcome, StoreError>),
    Record(RecordOutcome),
}

/// Starts the writer task; it ends when every sender is dropped.
pub(super) fn spawn(writer: SqlitePool) -> mpsc::Sender<WriteOp> {
    let (sender, receiver) = mpsc::channel(QUEUE_CAPACITY);
    tokio::spawn(run(writer, receiver));
    sender
}

async fn run(writer: SqlitePool, mut queue: mpsc::Receiver<WriteOp>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        match apply_batch(&writer, &batch).await {
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

/// An endpoint as routing sees it.
struct RoutingEndpoint {
    id: String,
    patterns: Vec<String>,
    active: bool,
}

async fn apply_batch(writer: &SqlitePool, batch: &[WriteOp]) -> Result<Vec<Applied>, StoreError> {
    let mut tx = writer.begin().await?;
    let endpoints = if batch
        .iter()
        .any(|op| matches!(op, WriteOp::Dispatch { .. }))
    {
        load_endpoints(&mut tx).await?
    } else {
        Vec::new()
    };
    let now = now_millis();
    let mut results = Vec::with_capacity(batch.len());
    for op in batch {
        results.push(match op {
            WriteOp::Dispatch { event, routing, .. } => {
                Applied::Dispatch(dispatch(&mut tx, &endpoints, event, routing).await?)
            }
            WriteOp::Record {
                lease_token,
                attempt,
                transition,
                ..
            } => Applied::Record(record(&mut tx, lease_token, attempt, *transition, now).await?),
        });
    }
    tx.commit().await?;
    Ok(results)
}

async fn load_endpoints(tx: &mut SqliteTx) -> Result<Vec<RoutingEndpoint>, StoreError> {
    let rows = sqlx::query("SELECT id, event_patterns, active FROM endpoints ORDER BY id")
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|row| {
            let id: String = row.try_get("id")?;
            let patterns = parse_patterns(&id, row.try_get("event_patterns")?)?;
            Ok(RoutingEndpoint {
                id,
                patterns,
                active: row.try_get("active")?,
            })
        })
        .collect()
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
            .filter(|e| e.active && subscribes(&e.patterns, event_type))
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

/// Stores one event and its deliveries. The outer error aborts the batch;
/// the inner one answers this caller only, and nothing of it was written.
async fn dispatch(
    tx: &mut SqliteTx,
    endpoints: &[RoutingEndpoint],
    event: &NewEvent,
    routing: &Routing,
) -> Result<Result<DispatchOutcome, StoreError>, StoreError> {
    if let Some(key) = &event.idempotency_key
        && let Some(existing) = existing_dispatch(tx, key).await?
    {
        return Ok(Ok(existing));
    }
    let endpoint_ids = match route(endpoints, &event.event_type, routing) {
        Ok(ids) => ids,
        Err(e) => return Ok(Err(e)),
    };
    sqlx::query(
        "INSERT INTO events (id, event_type, payload, idempotency_key, created_at)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(event.id.as_str())
    .bind(event.event_type.as_str())
    .bind(event.payload.as_bytes())
    .bind(event.idempotency_key.as_deref())
    .bind(event.created_at)
    .execute(&mut **tx)
    .await?;

    let delivery_ids: Vec<DeliveryId> = endpoint_ids
        .iter()
        .map(|_| DeliveryId::generate())
        .collect();
    if !endpoint_ids.is_empty() {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO deliveries (id, event_id, endpoint_id, state, next_attempt_at, created_at, updated_at) ",
        );
        insert.push_values(
            delivery_ids.iter().zip(&endpoint_ids),
            |mut row, (delivery_id, endpoint_id)| {
                row.push_bind(delivery_id.as_str())
                    .push_bind(event.id.as_str())
                    .push_bind(*endpoint_id)
                    .push_bind(DeliveryState::Pending.as_str())
                    .push_bind(event.created_at)
                    .push_bind(event.created_at)
                    .push_bind(event.created_at);
            },
        );
        insert.build().execute(&mut **tx).await?;
    }
    Ok(Ok(DispatchOutcome::Created {
        event_id: event.id.clone(),
        delivery_ids,
    }))
}

async fn existing_dispatch(
    tx: &mut SqliteTx,
    key: &str,
) -> Result<Option<DispatchOutcome>, StoreError> {
    let Some(event_id) =
        sqlx::query_scalar::<_, String>("SELECT id FROM events WHERE idempotency_key = ?")
            .bind(key)
            .fetch_optional(&mut **tx)
            .await?
    else {
        return Ok(None);
    };
    let delivery_ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM deliveries WHERE event_id = ? AND replay_of IS NULL ORDER BY id",
    )
    .bind(&event_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(Some(DispatchOutcome::Duplicate {
        event_id: EventId::from_stored(event_id),
        delivery_ids: delivery_ids
            .into_iter()
            .map(DeliveryId::from_stored)
            .collect(),
    }))
}

/// Appends the attempt and, if the lease still holds, moves the delivery.
async fn record(
    tx: &mut SqliteTx,
    lease_token: &str,
    attempt: &AttemptRecord,
    transition: DeliveryTransition,
    now: i64,
) -> Result<RecordOutcome, StoreError> {
    sqlx::query(
        "INSERT INTO attempts (delivery_id, attempt_number, started_at, duration_ms, http_status,
                               error_kind, error_message, response_excerpt)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(attempt.delivery_id.as_str())
    .bind(i64::from(attempt.attempt_number))
    .bind(attempt.started_at)
    .bind(attempt.duration_ms)
    .bind(attempt.http_status.map(i64::from))
    .bind(attempt.error_kind.map(|kind| kind.as_str()))
    .bind(attempt.error_message.as_deref())
    .bind(attempt.response_excerpt.as_deref())
    .execute(&mut **tx)
    .await?;
    let next_attempt_at = match transition {
        DeliveryTransition::RetryAt(at) => Some(at),
        _ => None,
    };
    let updated = sqlx::query(
        "UPDATE deliveries
         SET state = ?1, attempt_count = ?2, next_attempt_at = COALESCE(?3, next_attempt_at),
             last_error = ?4, lease_owner = NULL, lease_token = NULL, leased_until = NULL,
             updated_at = ?5
         WHERE id = ?6 AND lease_token = ?7",
    )
    .bind(transition.state().as_str())
    .bind(i64::from(attempt.attempt_number))
    .bind(next_attempt_at)
    .bind(attempt.error_message.as_deref())
    .bind(now)
    .bind(attempt.delivery_id.as_str())
    .bind(lease_token)
    .execute(&mut **tx)
    .await?;
    Ok(if updated.rows_affected() == 1 {
        RecordOutcome::Recorded
    } else {
        RecordOutcome::LeaseLost
    })
}
