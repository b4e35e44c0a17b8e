//! The retry schedule: pure functions of the policy, the attempt number and
//! an injected random source.

use std::borrow::Cow;
use std::time::Duration;

use rand::Rng;

use crate::config::RetryPolicyConfig;
use crate::domain::RetrySchedule;

/// Lowest and highest jitter factor applied to a delay.
pub const JITTER_RANGE: (f64, f64) = (0.75, 1.25);

/// The retry policy, validated by config loading.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub initial_delay: Duration,
    pub max_delay: Duration,
    pub multiplier: f64,
    pub jitter: bool,
    /// Explicit waits before the first, second, ... retry (the last
    /// repeats) in place of the exponential backoff; empty: exponential.
    pub delays: Vec<Duration>,
}

impl From<&RetryPolicyConfig> for RetryPolicy {
    fn from(config: &RetryPolicyConfig) -> Self {
        RetryPolicy {
            max_attempts: config.max_attempts,
            initial_delay: config.initial_delay,
            max_delay: config.max_delay,
            multiplier: config.backoff_multiplier,
            jitter: config.jitter,
            delays: Vec::new(),
        }
    }
}

/// What happens after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RetryDecision {
    /// Try again after this delay.
    RetryAfter(Duration),
    /// No attempts left.
    Exhausted,
}

impl RetryPolicy {
    /// This policy with an endpoint's own schedule laid over it: its
    /// attempts and its explicit delays where it sets them.
    pub fn for_endpoint(&self, schedule: Option<&RetrySchedule>) -> Cow<'_, RetryPolicy> {
        let Some(schedule) = schedule else {
            return Cow::Borrowed(self);
        };
        let longest = schedule.delays.iter().copied().max().unwrap_or_default();
        Cow::Owned(RetryPolicy {
            max_attempts: schedule.max_attempts.unwrap_or(self.max_attempts),
            // A Retry-After is honoured up to the longest delay either allows.
            max_delay: self.max_delay.max(longest),
            delays: schedule.delays.clone(),
            ..self.clone()
        })
    }

    /// The delay after failed attempt `attempt` (0-based): the explicit
    /// delay of that retry (the last one repeating), or else
    /// `min(initial * multiplier^attempt, max)`; times a factor in
    /// [0.75, 1.25] when jitter is on.
    pub fn delay(&self, attempt: u32, rng: &mut impl Rng) -> Duration {
        let capped = match self.delays.as_slice() {
            [] => {
                let exponent = i32::try_from(attempt).unwrap_or(i32::MAX);
                let uncapped = self.initial_delay.as_secs_f64() * self.multiplier.powi(exponent);
                // `min` also tames an infinite power for very large attempt numbers.
                uncapped.min(self.max_delay.as_secs_f64())
            }
            delays => delays[(attempt as usize).min(delays.len() - 1)].as_secs_f64(),
        };
        let factor = if self.jitter {
            rng.random_range(JITTER_RANGE.0..=JITTER_RANGE.1)
        } else {
            1.0
        };
        Duration::from_secs_f64(capped * factor)
    }

    /// Decides what follows failed attempt number `attempts_made` (1-based
    /// count of attempts so far, this one included).
    pub fn after_failure(&self, attempts_made: u32, rng: &mut impl Rng) -> RetryDecision {
        if attempts_made >= self.max_attempts {
            RetryDecision::Exhausted
        } else {
            RetryDecision::RetryAfter(self.delay(attempts_made.saturating_sub(1), rng))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn policy(jitter: bool) -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(300),
            multiplier: 2.0,
            jitter,
            delays: Vec::new(),
        }
    }

    #[test]
    fn an_endpoint_schedule_sets_attempts_and_explicit_delays() {
        let mut rng = StdRng::seed_from_u64(1);
        let base = policy(false);
        let schedule = RetrySchedule::parse(3, &[0.5, 600.0]).unwrap();
        let own = base.for_endpoint(Some(&schedule));
        let delays: Vec<Duration> = (0..4).map(|n| own.delay(n, &mut rng)).collect();
        // The last delay repeats; it may exceed the config's cap.
        let expected = [0.5, 600.0, 600.0, 600.0].map(Duration::from_secs_f64);
        assert_eq!(delays, expected);
        assert_eq!(own.max_delay, Duration::from_secs(600));
        assert_eq!(own.after_failure(3, &mut rng), RetryDecision::Exhausted);
        // Attempts only: the config's exponential delays.
        let attempts_only = RetrySchedule::parse(8, &[]).unwrap();
        let own = base.for_endpoint(Some(&attempts_only));
        assert_eq!(own.max_attempts, 8);
        assert_eq!(own.delay(2, &mut rng), Duration::from_secs(4));
        assert_eq!(base.for_endpoint(None).max_attempts, 5);
    }

    #[test]
    fn delays_double_until_the_cap_without_jitter() {
        let mut rng = StdRng::seed_from_u64(1);
        let delays: Vec<u64> = (0..10)
            .map(|n| policy(false).delay(n, &mut rng).as_secs())
            .collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300]);
    }

    #[test]
    fn huge_attempt_numbers_stay_at_the_cap() {
        let mut rng = StdRng::seed_from_u64(1);
        assert_eq!(
            policy(false).delay(u32::MAX, &mut rng),
            Duration::from_secs(300)
        );
    }

    #[test]
    fn exhausts_after_max_attempts() {
        let mut rng = StdRng::seed_from_u64(1);
        let p = policy(false);
        assert_eq!(
            p.after_failure(1, &mut rng),
            RetryDecision::RetryAfter(Duration::from_secs(1))
        );
        assert_eq!(
            p.after_failure(4, &mut rng),
            RetryDecision::RetryAfter(Duration::from_secs(8))
        );
        assert_eq!(p.after_failure(5, &mut rng), RetryDecision::Exhausted);
    }

    proptest! {
        #[test]
        fn delays_stay_within_bounds(
            attempt in 0u32..64,
            initial in 0.0f64..10.0,
            extra in 0.0f64..600.0,
            multiplier in 1.0f64..5.0,
            jitter: bool,
            seed: u64,
        ) {
            let p = RetryPolicy {
                max_attempts: 10,
                initial_delay: Duration::from_secs_f64(initial),
                max_delay: Duration::from_secs_f64(initial + extra),
                multiplier,
                jitter,
                delays: Vec::new(),
            };
            // From the delays as Durations hold them (whole nanoseconds), so
            // only the final rounding needs slack.
            let (initial, max) = (p.initial_delay.as_secs_f64(), p.max_delay.as_secs_f64());
            let base = (initial * multiplier.powi(attempt as i32)).min(max);
            let delay = p.delay(attempt, &mut StdRng::seed_from_u64(seed)).as_secs_f64();
            let (low, high) = if jitter { JITTER_RANGE } else { (1.0, 1.0) };
            // Slack for Duration's nanosecond rounding.
            let slack = 1e-6 + base * 1e-9;
            prop_assert!(delay >= base * low - slack, "delay {delay} below {}", base * low);
            prop_assert!(delay <= base * high + slack, "delay {delay} above {}", base * high);
        }
    }
}
