//! Endpoint health in this process: a circuit breaker, an in-flight count
//! and an adaptive concurrency window per endpoint. The scheduler asks
//! which endpoints are blocked (circuit open, trial under way, or at their
//! window) and leaves their deliveries unclaimed, so one slow or failing
//! endpoint never holds more than its own share of the workers and spends
//! no attempts while open.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::delivery::adaptive::{AdaptiveSettings, Load, Window};
use crate::delivery::circuit_breaker::{CircuitBreaker, CircuitState, Transition};
use crate::domain::EndpointId;

struct Gate {
    breaker: CircuitBreaker,
    in_flight: usize,
    /// The endpoint's concurrency limit, as last claimed.
    limit: usize,
    /// The adaptive window within the limit.
    window: Window,
    /// Whether its last attempt failed.
    last_failed: bool,
}

/// An endpoint's concurrency on this instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Concurrency {
    /// Its configured limit.
    pub limit: usize,
    /// Requests it may have in flight now: the adaptive window, or the
    /// limit when adaptation is off.
    pub window: usize,
}

/// A healthy endpoint may have this many times its limit leased to this
/// process: its limit in flight and three times as many claimed and
/// waiting, so a slot that frees up is refilled without a database round
/// trip, and a refill (once a quarter is free) brings at least its limit.
/// Twice the limit made smaller claims and cost about an eighth more CPU
/// per delivery in a flood (docs/benchmarks.md). An endpoint whose last
/// attempt failed gets its limit only, which keeps the failure count at the
/// disable threshold exact.
pub const PREFETCH_FACTOR: usize = 4;

/// What the scheduler may claim: endpoints to leave unclaimed, how many
/// more deliveries the others may lease, and when an open circuit allows
/// its next trial.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Blocked {
    pub endpoints: Vec<String>,
    /// Deliveries each endpoint this process knows may still lease; others
    /// may lease `PREFETCH_FACTOR` times their limit.
    pub room: Vec<(String, usize)>,
    pub next_trial_at: Option<i64>,
}

pub struct EndpointHealth {
    /// A std mutex: held for a lookup or an update, never across an await.
    gates: Mutex<HashMap<String, Gate>>,
    breaker_failures: u32,
    breaker_cooldown_ms: i64,
    adaptive: AdaptiveSettings,
    /// Notified when a slot frees up, so deliveries of an endpoint that was
    /// at its limit are started or claimed again.
    slot_freed: Notify,
}

impl Gate {
    /// Requests that may be in flight now.
    fn allowed(&self, adaptive: &AdaptiveSettings) -> usize {
        if adaptive.enabled {
            self.window.current(self.limit)
        } else {
            self.limit
        }
    }
}

impl EndpointHealth {
    pub fn new(
        breaker_failures: u32,
        breaker_cooldown_ms: i64,
        adaptive: AdaptiveSettings,
    ) -> Self {
        EndpointHealth {
            gates: Mutex::new(HashMap::new()),
            breaker_failures,
            breaker_cooldown_ms,
            adaptive,
            slot_freed: Notify::new(),
        }
    }

    /// Notified whenever a slot frees up.
    pub fn slot_freed(&self) -> &Notify {
        &self.slot_freed
    }

    /// How an answer tells the endpoint's load, by this instance's settings.
    pub fn load_of(&self, status: u16, timed_out: bool, duration: std::time::Duration) -> Load {
        self.adaptive.load_of(status, timed_out, duration)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Gate>> {
        self.gates
            .lock()
            .expect("the health lock is never poisoned")
    }

    fn new_gate(&self, limit: usize) -> Gate {
        Gate {
            breaker: CircuitBreaker::new(self.breaker_failures, self.breaker_cooldown_ms),
            in_flight: 0,
            limit,
            window: Window::new(limit),
            last_failed: false,
        }
    }

    /// What may be claimed now, given the deliveries already claimed and
    /// waiting for a slot, per endpoint.
    pub fn blocked(&self, now: i64, waiting: &HashMap<String, usize>) -> Blocked {
        let gates = self.lock();
        let mut blocked = Blocked::default();
        for (endpoint, gate) in gates.iter() {
            let factor = if gate.last_failed { 1 } else { PREFETCH_FACTOR };
            let most = gate.allowed(&self.adaptive) * factor;
            let leased = gate.in_flight + waiting.get(endpoint).copied().unwrap_or(0);
            let room = most.saturating_sub(leased);
            // A busy endpoint is refilled once it can take a quarter of what
            // it may lease, not after every request: one claim brings many.
            if !gate.breaker.allows(now) || room == 0 || room * 4 < most {
                blocked.endpoints.push(endpoint.clone());
            } else {
                blocked.room.push((endpoint.clone(), room));
            }
            if let Some(at) = gate.breaker.next_trial_at().filter(|at| *at > now) {
                blocked.next_trial_at = Some(blocked.next_trial_at.map_or(at, |t: i64| t.min(at)));
            }
        }
        blocked
    }

    /// Records `endpoint`'s limit before any request to it has started.
    pub fn know_limit(&self, endpoint: &EndpointId, limit: usize) {
        let mut gates = self.lock();
        gates
            .entry(endpoint.to_string())
            .or_insert_with(|| self.new_gate(limit))
            .limit = limit.max(1);
    }

    /// How many more requests to `endpoint` may start now beside those in
    /// flight: none while its circuit is not closed or after a failed
    /// attempt (its next attempts are claimed one at a time then).
    pub fn free_slots(&self, endpoint: &str, limit: usize, now: i64) -> usize {
        match self.lock().get(endpoint) {
            None => self.new_gate(limit.max(1)).allowed(&self.adaptive),
            Some(gate) if gate.last_failed || gate.breaker.state(now) != CircuitState::Closed => 0,
            Some(gate) => gate.allowed(&self.adaptive).saturating_sub(gate.in_flight),
        }
    }

    /// Whether deliveries claimed ahead for `endpoint` may still start:
    /// not after a failed attempt, nor while its circuit is open.
    pub fn may_start_waiting(&self, endpoint: &str, now: i64) -> bool {
        self.lock()
            .get(endpoint)
            .is_none_or(|gate| !gate.last_failed && gate.breaker.allows(now))
    }

    /// Takes a slot for a request to `endpoint`, or `None` when its circuit
    /// or its limit forbids one now.
    pub fn try_begin(
        self: &Arc<Self>,
        endpoint: &EndpointId,
        limit: usize,
        now: i64,
    ) -> Option<Slot> {
        let mut gates = self.lock();
        let gate = gates
            .entry(endpoint.to_string())
            .or_insert_with(|| self.new_gate(limit));
        gate.limit = limit.max(1);
        if !gate.breaker.allows(now) || gate.in_flight >= gate.allowed(&self.adaptive) {
            return None;
        }
        gate.breaker.on_start(now);
        gate.in_flight += 1;
        Some(Slot {
            health: Arc::clone(self),
            endpoint: endpoint.to_string(),
            started_at: now,
            finished: false,
        })
    }

    /// Feeds an attempt's outcome to the endpoint's breaker, and the load
    /// its answer showed to its window.
    fn finish(
        &self,
        endpoint: &str,
        outcome: Option<(bool, Load)>,
        started_at: i64,
        now: i64,
    ) -> Option<Transition> {
        let mut gates = self.lock();
        let gate = gates.get_mut(endpoint)?;
        gate.in_flight = gate.in_flight.saturating_sub(1);
        let outcome = outcome.map(|(succeeded, load)| {
            gate.window.observe(load, started_at, now, gate.limit);
            succeeded
        });
        if let Some(succeeded) = outcome {
            gate.last_failed = !succeeded;
        }
        match outcome {
            Some(true) => gate.breaker.on_success(),
            Some(false) => gate.breaker.on_failure(now),
            None => {
                gate.breaker.on_abandoned(now);
                None
            }
        }
    }

    /// Closes the circuit and forgets the failures (endpoint re-enabled).
    pub fn reset(&self, endpoint: &EndpointId) {
        if let Some(gate) = self.lock().get_mut(endpoint.as_str()) {
            gate.breaker = CircuitBreaker::new(self.breaker_failures, self.breaker_cooldown_ms);
        }
    }

    /// The endpoint's limit and current window, once this instance has
    /// claimed for it.
    pub fn concurrency(&self, endpoint: &EndpointId) -> Option<Concurrency> {
        self.lock().get(endpoint.as_str()).map(|gate| Concurrency {
            limit: gate.limit,
            window: gate.allowed(&self.adaptive),
        })
    }

    /// "closed", "open" or "half_open".
    pub fn circuit_state(&self, endpoint: &EndpointId, now: i64) -> &'static str {
        self.lock()
            .get(endpoint.as_str())
            .map_or("closed", |gate| gate.breaker.state(now).name())
    }
}

/// A request slot of one endpoint. Report how the request went with
/// `succeeded`/`failed`; dropped unreported, it gives the slot (and a
/// half-open trial) back unused.
pub struct Slot {
    health: Arc<EndpointHealth>,
    endpoint: String,
    started_at: i64,
    finished: bool,
}

impl Slot {
    pub fn succeeded(mut self, load: Load, now: i64) -> Option<Transition> {
        self.finished = true;
        self.health
            .finish(&self.endpoint, Some((true, load)), self.started_at, now)
    }

    pub fn failed(mut self, load: Load, now: i64) -> Option<Transition> {
        self.finished = true;
        self.health
            .finish(&self.endpoint, Some((false, load)), self.started_at, now)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if !self.finished {
            self.health.finish(
                &self.endpoint,
                None,
                self.started_at,
                crate::clock::now_millis(),
            );
        }
        self.health.slot_freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn health() -> Arc<EndpointHealth> {
        Arc::new(EndpointHealth::new(
            2,
            1000,
            AdaptiveSettings {
                enabled: true,
                slow_response: std::time::Duration::from_secs(5),
            },
        ))
    }

    #[test]
    fn an_endpoint_at_its_limit_is_blocked_until_a_slot_frees() {
        let health = health();
        let ep = EndpointId::parse("ep").unwrap();
        let first = health.try_begin(&ep, 2, 0).unwrap();
        let _second = health.try_begin(&ep, 2, 0).unwrap();
        assert!(health.try_begin(&ep, 2, 0).is_none());
        let none = HashMap::new();
        let most = 2 * PREFETCH_FACTOR;
        let quarter = most / 4;
        let waiting = |count: usize| HashMap::from([("ep".to_owned(), count)]);
        // Two in flight and the rest waiting: nothing more to lease.
        assert_eq!(health.blocked(0, &waiting(most - 2)).endpoints, ["ep"]);
        assert_eq!(health.blocked(0, &none).room, [("ep".to_owned(), most - 2)]);
        first.succeeded(Load::Normal, 0);
        // One in flight: less than a quarter free waits for more room; a
        // quarter is worth a claim.
        let short = waiting(most - quarter);
        assert_eq!(health.blocked(0, &short).endpoints, ["ep"]);
        let enough = waiting(most - 1 - quarter);
        assert_eq!(
            health.blocked(0, &enough).room,
            [("ep".to_owned(), quarter)]
        );
        assert_eq!(health.blocked(0, &none).room, [("ep".to_owned(), most - 1)]);
    }

    #[test]
    fn an_open_circuit_blocks_until_its_trial() {
        let health = health();
        let ep = EndpointId::parse("ep").unwrap();
        health.try_begin(&ep, 5, 0).unwrap().failed(Load::Normal, 0);
        let opened = health.try_begin(&ep, 5, 0).unwrap().failed(Load::Normal, 0);
        assert_eq!(opened, Some(Transition::Opened { until: 1000 }));
        assert_eq!(health.circuit_state(&ep, 10), "open");
        let blocked = health.blocked(10, &HashMap::new());
        assert_eq!(
            (blocked.endpoints.len(), blocked.next_trial_at),
            (1, Some(1000))
        );
        let trial = health.try_begin(&ep, 5, 1000).expect("the trial");
        assert!(health.try_begin(&ep, 5, 1000).is_none(), "one trial only");
        assert_eq!(
            trial.succeeded(Load::Normal, 1001),
            Some(Transition::Closed)
        );
        assert_eq!(health.circuit_state(&ep, 1002), "closed");
    }

    #[test]
    fn a_failing_endpoint_gets_no_deliveries_ahead() {
        let health = health();
        let ep = EndpointId::parse("ep").unwrap();
        assert!(health.may_start_waiting("ep", 0));
        health.try_begin(&ep, 3, 0).unwrap().failed(Load::Normal, 0);
        assert!(!health.may_start_waiting("ep", 0));
        assert_eq!(
            health.blocked(0, &HashMap::new()).room,
            [("ep".to_owned(), 3)],
            "its limit, not twice"
        );
        health
            .try_begin(&ep, 3, 0)
            .unwrap()
            .succeeded(Load::Normal, 0);
        assert!(health.may_start_waiting("ep", 0));
    }

    #[test]
    fn an_unreported_slot_is_given_back() {
        let health = health();
        let ep = EndpointId::parse("ep").unwrap();
        drop(health.try_begin(&ep, 1, 0).unwrap());
        assert!(health.try_begin(&ep, 1, 0).is_some());
    }
}
