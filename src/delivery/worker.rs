//! One delivery attempt, in typed stages: sign → send → decide → record.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use rand::rng;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, debug, error, info, info_span, warn};

use super::circuit_breaker::Transition;
use super::http_client::{DeliveryClient, SendResult};
use super::retry::{RetryDecision, RetryPolicy};
use crate::clock::{millis_after, now_millis};
use crate::delivery::adaptive::Load;
use crate::delivery::alert::{Alert, AlertKind, Alerter};
use crate::delivery::counters::Counters;
use crate::delivery::health::{EndpointHealth, Slot};
use crate::delivery::operational::DeadLetter;
use crate::delivery::retry_budget::RetryBudget;
use crate::delivery::updates::{Update, UpdateBus, UpdateKind};
use crate::domain::AttemptRecord;
use crate::domain::{
    CustomHeaders, DeliveryState, ErrorKind, SignatureScheme, TraceContext, continue_trace,
    span_id_of,
};
use crate::signing::{self, standard};
use crate::store::{
    AttemptResult, ClaimedDelivery, DeliveryTransition, EndpointVerdict, RecordOutcome, Store,
};

/// Extra headers that help receivers route and log, beside the signed ones.
const HEADER_EVENT_TYPE: &str = "x-webhook-event-type";
const HEADER_ATTEMPT: &str = "x-webhook-attempt";
const HEADER_TRACEPARENT: &str = "traceparent";
const HEADER_TRACESTATE: &str = "tracestate";

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
    /// Circuit breakers and per-endpoint concurrency.
    pub health: Arc<EndpointHealth>,
    /// The share of the slots retries may hold.
    pub retry_budget: Arc<RetryBudget>,
    /// Alerts when an attempt disables its endpoint.
    pub alerter: Alerter,
    /// Consecutive failures that disable an endpoint.
    pub failure_threshold: u32,
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

/// Attempts `delivery` once, holding its endpoint's `slot`, and records the
/// result. `abandon` cuts the request short at the end of the shutdown grace
/// period. `slot_freed` runs once a success has freed the slot, before the
/// result is recorded.
pub async fn attempt_delivery(
    ctx: &DeliveryContext,
    delivery: ClaimedDelivery,
    slot: Slot,
    abandon: &CancellationToken,
    slot_freed: impl FnOnce(),
) -> AttemptOutcome {
    let span = info_span!(
        "delivery_attempt",
        event_id = %delivery.event_id,
        delivery_id = %delivery.delivery_id,
        endpoint_id = %delivery.endpoint_id,
        attempt = delivery.attempt_number,
        trace_id = tracing::field::Empty,
        span_id = tracing::field::Empty,
    );
    // Each attempt is a child span of the producer's: the receiver sees
    // this span (exported with telemetry.otlp_enabled) as its parent.
    let attempt_span_id = match &delivery.trace {
        Some(trace) => {
            continue_trace(&span, trace);
            let span_id = span_id_of(&span);
            span.record("trace_id", trace.trace_id.as_str());
            span.record("span_id", span_id.as_str());
            span_id
        }
        None => String::new(),
    };
    async move {
        let prepared = prepare(ctx, &delivery, &attempt_span_id);
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
        let succeeded = outcome == AttemptOutcome::Delivered;
        let load = load_of(ctx, &completed);
        // A success frees its slot at once: the endpoint's next request need
        // not wait for this one's commit.
        let slot = if succeeded {
            if let Some(change) = slot.succeeded(load, now_millis()) {
                report_circuit_change(ctx, &delivery, change);
            }
            slot_freed();
            None
        } else {
            Some(slot)
        };
        ctx.counters.observe_attempt(
            &delivery.endpoint_id,
            attempt.error_kind,
            completed.duration,
        );
        if transition == DeliveryTransition::Dead {
            ctx.counters.observe_dead_letter(&delivery.endpoint_id);
        }
        let verdict = match &completed.result {
            _ if succeeded => EndpointVerdict::Healthy,
            SendResult::Answered { status: 410, .. } => EndpointVerdict::Gone,
            _ => EndpointVerdict::Failing {
                disable_after: ctx.failure_threshold,
            },
        };
        // The reliability suite crashes here: the receiver has the delivery,
        // the store does not know yet, so a restart must deliver it again.
        #[cfg(feature = "failpoints")]
        if succeeded {
            fail::fail_point!("worker::before_record_success", |_| std::process::abort());
        }
        let result = AttemptResult {
            lease_token: delivery.lease_token.clone(),
            endpoint_id: delivery.endpoint_id.clone(),
            ordering_key: delivery.ordering_key.clone(),
            attempt,
            transition,
            verdict,
        };
        if let Some(RecordOutcome::Recorded { disabled }) = record(ctx, &result).await {
            ctx.updates
                .publish(result_update(&delivery, &result.attempt, transition));
            if let Some(reason) = disabled {
                report_disabled(ctx, &delivery, &result.attempt, reason);
            }
            if transition == DeliveryTransition::Dead {
                ctx.alerter
                    .dead_lettered(dead_letter(&delivery, &result.attempt));
            }
        }
        // A failed attempt holds its slot until its result is stored, so one
        // that disables the endpoint does so before the next can start.
        if let Some(change) = slot.and_then(|slot| slot.failed(load, now_millis())) {
            report_circuit_change(ctx, &delivery, change);
        }
        outcome
    }
    .instrument(span)
    .await
}

fn prepare(ctx: &DeliveryContext, delivery: &ClaimedDelivery, span_id: &str) -> PreparedRequest {
    let now = now_millis();
    // During a secret rotation both signatures go out, so receivers holding
    // either secret can verify.
    let previous = delivery
        .previous_secret
        .as_ref()
        .filter(|(_, valid_until)| *valid_until > now)
        .map(|(secret, _)| secret);
    let signed = signed_headers(
        &SignedRequest {
            event_id: delivery.event_id.as_str(),
            event_type: delivery.event_type.as_str(),
            attempt: delivery.attempt_number,
            secret: delivery.secret.as_ref().unwrap_or(&ctx.default_secret),
            previous_secret: previous,
            scheme: delivery.signature_scheme,
            body: &delivery.payload,
        },
        now,
    );
    let mut headers = with_custom_headers(signed, &delivery.headers);
    if let Some(trace) = &delivery.trace {
        with_trace_headers(&mut headers, trace, span_id);
    }
    PreparedRequest { headers }
}

/// `traceparent` (a child of the producer's span) and `tracestate`, both
/// checked when the event was dispatched.
fn with_trace_headers(headers: &mut HeaderMap, trace: &TraceContext, span_id: &str) {
    if let Ok(value) = HeaderValue::try_from(trace.child_traceparent(span_id)) {
        headers.insert(HEADER_TRACEPARENT, value);
    }
    if let Some(Ok(value)) = trace.tracestate.as_deref().map(HeaderValue::try_from) {
        headers.insert(HEADER_TRACESTATE, value);
    }
}

/// `signed` plus the endpoint's custom headers. They were checked when the
/// endpoint was stored, and the headers webhookd sets win regardless.
pub fn with_custom_headers(mut signed: HeaderMap, custom: &CustomHeaders) -> HeaderMap {
    for (name, value) in custom.iter() {
        let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value))
        else {
            continue;
        };
        if !signed.contains_key(&name) {
            signed.insert(name, value);
        }
    }
    signed
}

/// What a signed request carries.
pub struct SignedRequest<'a> {
    pub event_id: &'a str,
    pub event_type: &'a str,
    pub attempt: u32,
    pub secret: &'a SecretString,
    /// A rotated-out secret still in its grace period: signs too.
    pub previous_secret: Option<&'a SecretString>,
    pub scheme: SignatureScheme,
    pub body: &'a [u8],
}

/// The signed headers of a request sent at `now` (unix ms), in the
/// endpoint's scheme.
pub fn signed_headers(request: &SignedRequest<'_>, now: i64) -> HeaderMap {
    let timestamp = now / 1000;
    let secrets = std::iter::once(request.secret).chain(request.previous_secret);
    let (names, signature) = match request.scheme {
        SignatureScheme::Webhookd => (
            [
                signing::HEADER_ID,
                signing::HEADER_TIMESTAMP,
                signing::HEADER_SIGNATURE,
            ],
            secrets
                .map(|secret| {
                    signing::sign(secret.expose_secret().as_bytes(), timestamp, request.body)
                })
                .collect::<Vec<_>>()
                .join(","),
        ),
        SignatureScheme::Standard => (
            [
                standard::HEADER_ID,
                standard::HEADER_TIMESTAMP,
                standard::HEADER_SIGNATURE,
            ],
            secrets
                // Secrets are checked when endpoints are created or
                // configured; one that fails to parse cannot sign.
                .filter_map(|secret| standard::SigningKey::parse(secret.expose_secret()).ok())
                .map(|key| key.sign(request.event_id, timestamp, request.body))
                .collect::<Vec<_>>()
                .join(" "),
        ),
    };
    let mut headers = HeaderMap::with_capacity(6);
    let mut put = |name: &'static str, value: String| {
        // Ids, types, numbers, hex and base64 digests are visible ASCII.
        let value = HeaderValue::try_from(value).expect("header values are ASCII");
        headers.insert(HeaderName::from_static(name), value);
    };
    let [id_header, timestamp_header, signature_header] = names;
    put(id_header, request.event_id.to_owned());
    put(timestamp_header, timestamp.to_string());
    put(signature_header, signature);
    put(HEADER_EVENT_TYPE, request.event_type.to_owned());
    put(HEADER_ATTEMPT, request.attempt.to_string());
    headers
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

/// Whether the receiver pushed back, for its adaptive window.
fn load_of(ctx: &DeliveryContext, completed: &CompletedAttempt) -> Load {
    let (status, timed_out) = match &completed.result {
        SendResult::Answered { status, .. } => (*status, false),
        SendResult::NoAnswer { kind, .. } => (0, *kind == ErrorKind::Timeout),
    };
    ctx.health.load_of(status, timed_out, completed.duration)
}

fn decide(
    ctx: &DeliveryContext,
    delivery: &ClaimedDelivery,
    completed: &CompletedAttempt,
) -> (AttemptOutcome, DeliveryTransition) {
    let latency_ms = completed.duration.as_millis() as u64;
    let (failure, retry_after) = match &completed.result {
        SendResult::Answered { status, .. } if (200..300).contains(status) => {
            debug!(status, latency_ms, "delivered");
            return (AttemptOutcome::Delivered, DeliveryTransition::Succeeded);
        }
        SendResult::Answered {
            status,
            retry_after,
            ..
        } => (ErrorKind::for_status(*status), *retry_after),
        SendResult::NoAnswer { kind, .. } => (*kind, None),
    };
    // A redrive starts a fresh cycle: count attempts from its start.
    let attempts_in_cycle = delivery.attempt_number.saturating_sub(delivery.cycle_start);
    let policy = ctx.retry.for_endpoint(delivery.retry_schedule.as_ref());
    match policy.after_failure(attempts_in_cycle, &mut rng()) {
        RetryDecision::RetryAfter(policy_delay) => {
            // A receiver's Retry-After (429, 503) is honoured, up to the
            // policy's longest delay.
            let delay = retry_after.map_or(policy_delay, |asked| {
                asked.max(policy_delay).min(policy.max_delay)
            });
            let at = millis_after(delay);
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
            ..
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

fn report_circuit_change(ctx: &DeliveryContext, delivery: &ClaimedDelivery, change: Transition) {
    let mut update = match change {
        Transition::Opened { until } => {
            warn!(
                retry_at = until,
                "circuit opened: no requests to this endpoint until the trial"
            );
            let mut update = Update::new(UpdateKind::CircuitOpened, delivery.endpoint_id.clone());
            update.next_attempt_at = Some(until);
            update
        }
        Transition::Closed => {
            info!("circuit closed: the trial request succeeded");
            Update::new(UpdateKind::CircuitClosed, delivery.endpoint_id.clone())
        }
    };
    update.detail = format!(
        "circuit {}",
        if matches!(change, Transition::Closed) {
            "closed"
        } else {
            "opened"
        }
    );
    ctx.updates.publish(update);
}

fn report_disabled(
    ctx: &DeliveryContext,
    delivery: &ClaimedDelivery,
    attempt: &AttemptRecord,
    reason: String,
) {
    let mut update = Update::new(UpdateKind::EndpointDisabled, delivery.endpoint_id.clone());
    update.detail = reason.clone();
    ctx.updates.publish(update);
    ctx.alerter.send(Alert {
        kind: AlertKind::Disabled {
            reason,
            last_error: attempt.error_message.clone().unwrap_or_default(),
        },
        endpoint_id: delivery.endpoint_id.clone(),
        url: delivery.url.clone(),
        at: now_millis(),
    });
}

fn dead_letter(delivery: &ClaimedDelivery, attempt: &AttemptRecord) -> DeadLetter {
    DeadLetter {
        delivery_id: delivery.delivery_id.to_string(),
        event_id: delivery.event_id.to_string(),
        event_type: delivery.event_type.to_string(),
        endpoint_id: delivery.endpoint_id.to_string(),
        attempts: delivery.attempt_number,
        last_error: attempt.error_message.clone().unwrap_or_default(),
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
async fn record(ctx: &DeliveryContext, result: &AttemptResult) -> Option<RecordOutcome> {
    let mut delays = RECORD_RETRY_DELAYS.iter();
    loop {
        match ctx.store.record_attempt(result.clone()).await {
            Ok(outcome) => {
                match &outcome {
                    // A retry is new due work, and so is the delivery that
                    // waited behind this one on its ordering key.
                    RecordOutcome::Recorded { .. }
                        if result.transition.retry_at().is_some()
                            || result.ordering_key.is_some() =>
                    {
                        ctx.wake.notify_one();
                    }
                    RecordOutcome::Recorded { .. } => {}
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
