//! The per-endpoint circuit breaker, a pure state machine over an injected
//! clock (unix ms): closed → open after `threshold` consecutive failures →
//! half-open after `cooldown` (one trial request) → closed on success, open
//! again on failure. Any success resets the failure count.

/// The breaker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CircuitState {
    Closed,
    /// No requests until `until`.
    Open {
        until: i64,
    },
    /// One trial request is allowed; `trial_in_flight` while it runs.
    HalfOpen {
        trial_in_flight: bool,
    },
}

impl CircuitState {
    pub fn name(self) -> &'static str {
        match self {
            CircuitState::Closed => "closed",
            CircuitState::Open { .. } => "open",
            CircuitState::HalfOpen { .. } => "half_open",
        }
    }
}

/// A change worth logging and publishing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Opened { until: i64 },
    Closed,
}

#[derive(Debug, Clone)]
pub struct CircuitBreaker {
    state: CircuitState,
    consecutive_failures: u32,
    threshold: u32,
    cooldown_ms: i64,
}

impl CircuitBreaker {
    pub fn new(threshold: u32, cooldown_ms: i64) -> Self {
        CircuitBreaker {
            state: CircuitState::Closed,
            consecutive_failures: 0,
            threshold: threshold.max(1),
            cooldown_ms,
        }
    }

    /// The state at `now` (an open circuit whose cooldown ended is half-open).
    pub fn state(&self, now: i64) -> CircuitState {
        match self.state {
            CircuitState::Open { until } if now >= until => CircuitState::HalfOpen {
                trial_in_flight: false,
            },
            state => state,
        }
    }

    /// Whether a request may start at `now`.
    pub fn allows(&self, now: i64) -> bool {
        match self.state(now) {
            CircuitState::Closed => true,
            CircuitState::Open { .. } => false,
            CircuitState::HalfOpen { trial_in_flight } => !trial_in_flight,
        }
    }

    /// Records that a request starts; in half-open it becomes the trial.
    pub fn on_start(&mut self, now: i64) {
        if let CircuitState::HalfOpen { .. } = self.state(now) {
            self.state = CircuitState::HalfOpen {
                trial_in_flight: true,
            };
        }
    }

    pub fn on_success(&mut self) -> Option<Transition> {
        self.consecutive_failures = 0;
        let was_closed = self.state == CircuitState::Closed;
        self.state = CircuitState::Closed;
        (!was_closed).then_some(Transition::Closed)
    }

    pub fn on_failure(&mut self, now: i64) -> Option<Transition> {
        self.consecutive_failures = self.consecutive_failures.saturating_add(1);
        let trip = match self.state(now) {
            CircuitState::Closed => self.consecutive_failures >= self.threshold,
            // A failed trial opens it again at once.
            CircuitState::HalfOpen { .. } => true,
            CircuitState::Open { .. } => false,
        };
        if !trip {
            return None;
        }
        let until = now + self.cooldown_ms;
        self.state = CircuitState::Open { until };
        Some(Transition::Opened { until })
    }

    /// A request that was let through but never made (released) gives its
    /// trial back.
    pub fn on_abandoned(&mut self, now: i64) {
        if let CircuitState::HalfOpen {
            trial_in_flight: true,
        } = self.state(now)
        {
            self.state = CircuitState::HalfOpen {
                trial_in_flight: false,
            };
        }
    }

    /// When an open circuit allows its next trial.
    pub fn next_trial_at(&self) -> Option<i64> {
        match self.state {
            CircuitState::Open { until } => Some(until),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_the_threshold_and_closes_after_a_good_trial() {
        let mut breaker = CircuitBreaker::new(3, 1000);
        assert_eq!(breaker.on_failure(0), None);
        assert_eq!(breaker.on_failure(0), None);
        assert_eq!(
            breaker.on_failure(0),
            Some(Transition::Opened { until: 1000 })
        );
        assert!(!breaker.allows(999));
        assert_eq!(
            breaker.state(1000),
            CircuitState::HalfOpen {
                trial_in_flight: false
            }
        );
        assert!(breaker.allows(1000));
        breaker.on_start(1000);
        assert!(!breaker.allows(1001), "one trial at a time");
        assert_eq!(breaker.on_success(), Some(Transition::Closed));
        assert!(breaker.allows(1002));
    }

    #[test]
    fn a_failed_trial_opens_again() {
        let mut breaker = CircuitBreaker::new(1, 500);
        breaker.on_failure(0);
        breaker.on_start(600);
        assert_eq!(
            breaker.on_failure(700),
            Some(Transition::Opened { until: 1200 })
        );
        assert!(!breaker.allows(1199));
    }

    #[test]
    fn any_success_resets_the_count() {
        let mut breaker = CircuitBreaker::new(2, 500);
        breaker.on_failure(0);
        assert_eq!(breaker.on_success(), None);
        assert_eq!(breaker.on_failure(0), None, "the count restarted");
    }

    #[test]
    fn an_abandoned_trial_is_given_back() {
        let mut breaker = CircuitBreaker::new(1, 10);
        breaker.on_failure(0);
        breaker.on_start(20);
        breaker.on_abandoned(21);
        assert!(breaker.allows(22));
    }
}
