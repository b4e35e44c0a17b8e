//! The retry schedule: pure functions of the policy, the attempt number and
//! an injected random source.

use std::time::Duration;

use rand::Rng;

use crate::config::RetryPolicyConfig;

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
}

impl From<&RetryPolicyConfig> for RetryPolicy {
    fn from(config: &RetryPolicyConfig) -> Self {
        RetryPolicy {
            max_attempts: config.max_attempts,
            initial_delay: config.initial_delay,
            max_delay: config.max_delay,
            multiplier: config.backoff_multiplier,
            jitter: config.jitter,
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
    /// The delay after failed attempt `attempt` (0-based):
    /// `min(initial * multiplier^attempt, max)`, times a factor in
    /// [0.75, 1.25] when jitter is on.
    pub fn delay(&self, attempt: u32, rng: &mut impl Rng) -> Duration {
        let exponent = i32::try_from(attempt).unwrap_or(i32::MAX);
        let uncapped = self.initial_delay.as_secs_f64() * self.multiplier.powi(exponent);
        // `min` also tames an infinite power for very large attempt numbers.
        let capped = uncapped.min(self.max_delay.as_secs_f64());
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
        }
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
