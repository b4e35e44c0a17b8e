//! One delivery attempt, in typed stages: sign → send → decide → record.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rng;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, debug, error, info, info_span, warn};

use super::http_client::{DeliveryClient, SendResult};
use super::retry::{RetryDecision, RetryPolicy};
use crate::domain::{DeliveryState, ErrorKind};
use crate::metrics::Counters;
use crate::signing;
use crate::store::{
    AttemptRecord, ClaimedDelivery, DeliveryTransition, RecordOutcome, Store, now_millis,
};
use crate::updates::{Update, UpdateBus, UpdateKind};

/// Extra headers that help receivers route and log, beside the signed ones.
const HEADER_EVENT_TYPE: &str = "x-webhook-event-type";
const HEADER_ATTEMPT: &str = "x-webhook-attempt";

/// Pauses between tries to record a result while the store is unavailable.
const RECORD_RETRY_DELAYS: [Duration; 4] = [
    Duration::from_millis(100),
    Duration::from_millis(500),
    Duration::from_secs(2),
    Duration::from_secs(5),
];

/// Handles shared by every delivery attempt.
pub struct DeliveryContext {
    pub store: Arc<dyn Store>,
    pub client: DeliveryClient,
    pub retry: RetryPolicy,
    pub dead_letter_enabled: bool,
    /// Signs deliveries to endpoints without a secret of their own.
    pub default_secret: SecretString,
    /// Wakes the scheduler when a retry is scheduled.
    pub wake: Arc<Notify>,
    /// Where state changes are published.
    pub updates: Arc<UpdateBus>,
    /// This process's Prometheus counters.
    pub counters: Arc<Counters>,
    /// This process, as recorded with each attempt.
    pub instance_id: String,
}

/// How an attempt ended, for the caller and the logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered,
    Retry {
        at: i64,
    },
    DeadLettered,
    Failed,
    /// Shutdown cut the attempt short; its lease is released by the scheduler.
    Abandoned,
}

/// A signed request, ready to send.
struct PreparedRequest {
    headers: HeaderMap,
}

/// The result of sending, with its timing.
struct CompletedAttempt {
    started_at: i64,
    duration: Duration,
    result: SendResult,
}

/// Attempts `delivery` once and records the result. `abandon` cuts the
/// request short at the end of the shutdown grace period.
pub async fn attempt_delivery(
    ctx: &DeliveryContext,
    delivery: ClaimedDelivery,
    abandon: &CancellationToken,
) -> AttemptOutcome {
    let span = info_span!(
        "delivery_attempt",
        event_id = %delivery.event_id,
        delivery_id = %delivery.delivery_id,
        endpoint_id = %delivery.endpoint_id,
        attempt = delivery.attempt_number,
    );
    async move {
        let prepared = prepare(ctx, &delivery);
        ctx.updates.publish(update_for(
            &delivery,
            UpdateKind::AttemptStarted,
            DeliveryState::InFlight,
        ));
        let completed = tokio::select! {
            biased;
            _ = abandon.cancelled() => {
                info!("attempt abandoned at shutdown");
                return AttemptOutcome::Abandoned;
            }
            completed = send(ctx, &delivery, prepared) => completed,
        };
        let (outcome, transition) = decide(ctx, &delivery, &completed);
        let attempt = attempt_record(ctx, &delivery, &completed);
        ctx.counters.observe_attempt(
            &delivery.endpoint_id,
            attempt.error_kind,
            completed.duration,
        );
        if transition == DeliveryTransition::Dead {
            ctx.counters.observe_dead_letter(&delivery.endpoint_id);
        }
        if record(ctx, &delivery, &attempt, transition).await == Some(RecordOutcome::Recorded) {
            ctx.updates
                .publish(result_update(&delivery, &attempt, transition));
        }
        outcome
    }
    .instrument(span)
    .await
}

fn prepare(ctx: &DeliveryContext, delivery: &ClaimedDelivery) -> PreparedRequest {
    let secret = delivery.secret.as_ref().unwrap_or(&ctx.default_secret);
    let now = now_millis();
    let timestamp = now / 1000;
    let mut signature = signing::sign(
        secret.expose_secret().as_bytes(),
        timestamp,
        &delivery.payload,
    );
    // During a secret rotation both signatures go out, new first, so
    // receivers holding either secret can verify.
    if let Some((previous, valid_until)) = &delivery.previous_secret
        && *valid_until > now
    {
        signature.push(',');
        signature.push_str(&signing::sign(
            previous.expose_secret().as_bytes(),
            timestamp,
            &delivery.payload,
        ));
    }

    let mut headers = HeaderMap::with_capacity(6);
    let mut put = |name: &'static str, value: String| {
        // Ids, types, numbers and hex digests are always visible ASCII.
        let value = HeaderValue::try_from(value).expect("header values are ASCII");
        headers.insert(HeaderName::from_static(name), value);
    };
    put(signing::HEADER_ID, delivery.event_id.to_string());
    put(signing::HEADER_TIMESTAMP, timestamp.to_string());
    put(signing::HEADER_SIGNATURE, signature);
    put(HEADER_EVENT_TYPE, delivery.event_type.to_string());
    put(HEADER_ATTEMPT, delivery.attempt_number.to_string());
    PreparedRequest { headers }
}

async fn send(
    ctx: &DeliveryContext,
    delivery: &ClaimedDelivery,
    prepared: PreparedRequest,
) -> CompletedAttempt {
    let started_at = now_millis();
    let clock = Instant::now();
    let result = ctx
        .client
        .post(&delivery.url, prepared.headers, delivery.payload.clone())
        .await;
    CompletedAttempt {
        started_at,
        duration: clock.elapsed(),
        result,
    }
}

fn decide(
    ctx: &DeliveryContext,
    delivery: &ClaimedDelivery,
    completed: &CompletedAttempt,
) -> (AttemptOutcome, DeliveryTransition) {
    let latency_ms = completed.duration.as_millis() as u64;
    let failure = match &completed.result {
        SendResult::Answered { status, .. } if (200..300).contains(status) => {
            debug!(status, latency_ms, "delivered");
            return (AttemptOutcome::Delivered, DeliveryTransition::Succeeded);
        }
        SendResult::Answered { status, .. } => ErrorKind::for_status(*status),
        SendResult::NoAnswer { kind, .. } => *kind,
    };
    // A redrive starts a fresh cycle: count attempts from its start.
    let attempts_in_cycle = delivery.attempt_number.saturating_sub(delivery.cycle_start);
    match ctx.retry.after_failure(attempts_in_cycle, &mut rng()) {
        RetryDecision::RetryAfter(delay) => {
            let at = now_millis() + delay.as_millis() as i64;
            warn!(error_kind = %failure, latency_ms, delay_ms = delay.as_millis() as u64, "delivery failed, retrying");
            (
                AttemptOutcome::Retry { at },
                DeliveryTransition::RetryAt(at),
            )
        }
        RetryDecision::Exhausted if ctx.dead_letter_enabled => {
            warn!(error_kind = %failure, latency_ms, "delivery failed, attempts exhausted, dead-lettered");
            (AttemptOutcome::DeadLettered, DeliveryTransition::Dead)
        }
        RetryDecision::Exhausted => {
            warn!(error_kind = %failure, latency_ms, "delivery failed, attempts exhausted");
            (AttemptOutcome::Failed, DeliveryTransition::Failed)
        }
    }
}

fn attempt_record(
    ctx: &DeliveryContext,
    delivery: &ClaimedDelivery,
    completed: &CompletedAttempt,
) -> AttemptRecord {
    let (http_status, error_kind, error_message, response_excerpt) = match &completed.result {
        SendResult::Answered {
            status,
            response_excerpt,
        } => {
            let failed = !(200..300).contains(status);
            (
                Some(*status),
                failed.then(|| ErrorKind::for_status(*status)),
                failed.then(|| format!("receiver answered HTTP {status}")),
                Some(response_excerpt.clone()).filter(|excerpt| !excerpt.is_empty()),
            )
        }
        SendResult::NoAnswer { kind, message } => (None, Some(*kind), Some(message.clone()), None),
    };
    AttemptRecord {
        delivery_id: delivery.delivery_id.clone(),
        attempt_number: delivery.attempt_number,
        started_at: completed.started_at,
        duration_ms: completed.duration.as_millis() as i64,
        http_status,
        error_kind,
        error_message,
        response_excerpt,
        instance_id: Some(ctx.instance_id.clone()),
    }
}

fn update_for(delivery: &ClaimedDelivery, kind: UpdateKind, state: DeliveryState) -> Update {
    let mut update = Update::new(kind, delivery.endpoint_id.clone());
    update.delivery_id = Some(delivery.delivery_id.clone());
    update.event_id = Some(delivery.event_id.clone());
    update.event_type = Some(delivery.event_type.clone());
    update.state = Some(state);
    update.attempt = delivery.attempt_number;
    update
}

fn result_update(
    delivery: &ClaimedDelivery,
    attempt: &AttemptRecord,
    transition: DeliveryTransition,
) -> Update {
    let kind = match transition {
        DeliveryTransition::Succeeded => UpdateKind::Succeeded,
        DeliveryTransition::RetryAt(_) => UpdateKind::RetryScheduled,
        DeliveryTransition::Dead => UpdateKind::DeadLettered,
        DeliveryTransition::Failed => UpdateKind::Failed,
    };
    let mut update = update_for(delivery, kind, transition.state());
    update.http_status = attempt.http_status;
    update.error_kind = attempt.error_kind;
    update.latency_ms = u64::try_from(attempt.duration_ms).unwrap_or(0);
    update.next_attempt_at = transition.retry_at();
    update
}

/// Records the attempt, retrying while the store is unavailable; `None`
/// when it could not be recorded at all.
async fn record(
    ctx: &DeliveryContext,
    delivery: &ClaimedDelivery,
    attempt: &AttemptRecord,
    transition: DeliveryTransition,
) -> Option<RecordOutcome> {
    let mut delays = RECORD_RETRY_DELAYS.iter();
    loop {
        match ctx
            .store
            .record_attempt(&delivery.lease_token, attempt, transition)
            .await
        {
            Ok(outcome) => {
                match outcome {
                    RecordOutcome::Recorded if transition.retry_at().is_some() => {
                        ctx.wake.notify_one();
                    }
                    RecordOutcome::Recorded => {}
                    RecordOutcome::LeaseLost => warn!(
                        "lease lost before the result was recorded; the delivery was handed on and may be repeated"
                    ),
                }
                return Some(outcome);
            }
            Err(e) => match delays.next() {
                Some(delay) => {
                    warn!(error.message = %e, retry_in_ms = delay.as_millis() as u64, "failed to record attempt, retrying");
                    tokio::time::sleep(*delay).await;
                }
                None => {
                    // The lease expires and the delivery is attempted again:
                    // a duplicate, never a loss.
                    error!(error.message = %e, "failed to record attempt; the delivery will be retried when its lease expires");
                    return None;
                }
            },
        }
    }
}
