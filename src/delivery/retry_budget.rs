//! The retry budget: retries may hold at most a share of this instance's
//! delivery slots (`webhook_engine.retry_budget`), so an outage, whose
//! deliveries all come back as retries, cannot fill the workers and delay
//! fresh deliveries to healthy endpoints. A retry that finds the budget
//! spent waits, leased, with the deliveries claimed ahead.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use tokio::sync::Notify;

use crate::store::ClaimedDelivery;

pub struct RetryBudget {
    slots: usize,
    in_flight: AtomicUsize,
    deferred: AtomicU64,
    /// Woken when a retry ends, so a waiting one can start.
    wake: Arc<Notify>,
}

/// What the budget looks like now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetryBudgetStatus {
    pub slots: usize,
    pub in_flight: usize,
    /// Retries that had to wait for the budget since this instance started.
    pub deferred: u64,
}

/// Whether a delivery's next attempt is a retry: not the first of its
/// cycle (a redrive starts a new cycle, and its first attempt is fresh).
pub fn is_retry(delivery: &ClaimedDelivery) -> bool {
    delivery.attempt_number.saturating_sub(delivery.cycle_start) > 1
}

impl RetryBudget {
    /// `share` of `max_concurrent` slots, at least one.
    pub fn new(share: f64, max_concurrent: usize, wake: Arc<Notify>) -> Self {
        let slots =
            ((share * max_concurrent as f64).ceil() as usize).clamp(1, max_concurrent.max(1));
        RetryBudget {
            slots,
            in_flight: AtomicUsize::new(0),
            deferred: AtomicU64::new(0),
            wake,
        }
    }

    /// A slot of the budget, or `None` when retries hold them all.
    pub fn try_take(self: &Arc<Self>) -> Option<RetryPermit> {
        self.in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.slots).then_some(n + 1)
            })
            .ok()?;
        Some(RetryPermit {
            budget: Arc::clone(self),
            used: true,
        })
    }

    /// Counts a retry that waits for the budget.
    pub fn defer(&self) {
        self.deferred.fetch_add(1, Ordering::Relaxed);
    }

    pub fn status(&self) -> RetryBudgetStatus {
        RetryBudgetStatus {
            slots: self.slots,
            in_flight: self.in_flight.load(Ordering::Acquire),
            deferred: self.deferred.load(Ordering::Relaxed),
        }
    }
}

/// A retry's slot of the budget, held for its attempt.
pub struct RetryPermit {
    budget: Arc<RetryBudget>,
    /// Whether an attempt ran under it: only then may a waiting retry
    /// have been held back by it, and the scheduler is woken.
    used: bool,
}

impl RetryPermit {
    /// Gives the slot back without an attempt (the endpoint had no slot).
    pub fn give_back(mut self) {
        self.used = false;
    }
}

impl Drop for RetryPermit {
    fn drop(&mut self) {
        self.budget.in_flight.fetch_sub(1, Ordering::AcqRel);
        if self.used {
            self.budget.wake.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_hold_at_most_their_share() {
        let budget = Arc::new(RetryBudget::new(0.25, 10, Arc::new(Notify::new())));
        assert_eq!(budget.status().slots, 3, "a quarter of 10, rounded up");
        let held: Vec<RetryPermit> = (0..3).map(|_| budget.try_take().unwrap()).collect();
        assert!(budget.try_take().is_none());
        budget.defer();
        assert_eq!(
            budget.status(),
            RetryBudgetStatus {
                slots: 3,
                in_flight: 3,
                deferred: 1
            }
        );
        drop(held);
        let permit = budget.try_take().unwrap();
        permit.give_back();
        assert_eq!(budget.status().in_flight, 0);
        assert_eq!(
            RetryBudget::new(0.01, 10, Arc::new(Notify::new()))
                .status()
                .slots,
            1,
            "never none"
        );
    }
}
