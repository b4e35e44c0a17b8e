//! An endpoint's own retry schedule, in place of the config's
//! `retry_policy` for its deliveries: how many attempts, and optionally the
//! exact waits between them.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::limits::{MAX_ENDPOINT_ATTEMPTS, MAX_RETRY_DELAY_SECONDS, MAX_RETRY_DELAYS};

/// Why a retry schedule is refused; `field` names the part at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RetryScheduleError {
    #[error("must be between 1 and {MAX_ENDPOINT_ATTEMPTS} (0 keeps retry_policy.max_attempts)")]
    MaxAttempts,
    #[error("at most {MAX_RETRY_DELAYS} delays (got {0})")]
    TooManyDelays(usize),
    #[error("must be a number of seconds from 0 to {MAX_RETRY_DELAY_SECONDS}")]
    Delay { index: usize },
}

impl RetryScheduleError {
    /// The field at fault, relative to the schedule.
    pub fn field(&self) -> String {
        match self {
            RetryScheduleError::MaxAttempts => "max_attempts".to_owned(),
            RetryScheduleError::TooManyDelays(_) => "delays_seconds".to_owned(),
            RetryScheduleError::Delay { index } => format!("delays_seconds[{index}]"),
        }
    }
}

/// A checked schedule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetrySchedule {
    /// Attempts in all; `None`: the config's.
    pub max_attempts: Option<u32>,
    /// Waits before the first, second, ... retry; the last repeats. Empty:
    /// the config's exponential backoff.
    #[serde(with = "millis")]
    pub delays: Vec<Duration>,
}

impl RetrySchedule {
    /// Checks a schedule as written: `max_attempts` 0 keeps the config's.
    pub fn parse(max_attempts: u32, delays_seconds: &[f64]) -> Result<Self, RetryScheduleError> {
        let max_attempts = match max_attempts {
            0 => None,
            n if n <= MAX_ENDPOINT_ATTEMPTS => Some(n),
            _ => return Err(RetryScheduleError::MaxAttempts),
        };
        if delays_seconds.len() > MAX_RETRY_DELAYS {
            return Err(RetryScheduleError::TooManyDelays(delays_seconds.len()));
        }
        let delays = delays_seconds
            .iter()
            .enumerate()
            .map(|(index, seconds)| match *seconds {
                s if (0.0..=MAX_RETRY_DELAY_SECONDS).contains(&s) => Ok(Duration::from_secs_f64(s)),
                _ => Err(RetryScheduleError::Delay { index }),
            })
            .collect::<Result<_, _>>()?;
        Ok(RetrySchedule {
            max_attempts,
            delays,
        })
    }

    /// As the store keeps it: a JSON object.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a schedule always serialises")
    }

    pub fn from_json(json: &str) -> Option<Self> {
        serde_json::from_str(json).ok()
    }

    pub fn delays_seconds(&self) -> Vec<f64> {
        self.delays.iter().map(Duration::as_secs_f64).collect()
    }
}

/// Durations as whole milliseconds in the stored JSON.
mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(delays: &[Duration], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(delays.iter().map(|d| d.as_millis() as u64))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Duration>, D::Error> {
        let millis = Vec::<u64>::deserialize(deserializer)?;
        Ok(millis.into_iter().map(Duration::from_millis).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_checks_and_round_trips() {
        let schedule = RetrySchedule::parse(3, &[0.2, 1.0]).unwrap();
        assert_eq!(schedule.max_attempts, Some(3));
        assert_eq!(
            schedule.delays,
            [Duration::from_millis(200), Duration::from_secs(1)]
        );
        assert_eq!(
            RetrySchedule::from_json(&schedule.to_json()),
            Some(schedule)
        );
        assert_eq!(
            RetrySchedule::parse(0, &[]).unwrap(),
            RetrySchedule::default()
        );
        assert_eq!(
            RetrySchedule::parse(101, &[]),
            Err(RetryScheduleError::MaxAttempts)
        );
        for bad in [-1.0, f64::NAN, f64::INFINITY, 86_401.0] {
            assert_eq!(
                RetrySchedule::parse(2, &[1.0, bad]),
                Err(RetryScheduleError::Delay { index: 1 }),
                "{bad}"
            );
        }
        let many = vec![1.0; MAX_RETRY_DELAYS + 1];
        assert!(matches!(
            RetrySchedule::parse(2, &many),
            Err(RetryScheduleError::TooManyDelays(_))
        ));
    }
}
