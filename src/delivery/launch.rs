//! Starting attempts: each runs under a slot of the global limit, a slot of
//! its endpoint and, for a retry, a slot of the retry budget. The
//! scheduler starts here what it claims; a dispatch hands over the fresh
//! deliveries it leased to start at once (`FreshStarts`). What cannot
//! start yet waits, leased to this process, for a slot.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::retry_budget::{RetryPermit, is_retry};
use super::updates::{Update, UpdateKind};
use super::worker::{DeliveryContext, attempt_delivery};
use crate::clock::now_millis;
use crate::delivery::health::Slot;
use crate::store::{ClaimedDelivery, FreshLease, FreshStarts};

/// Deliveries claimed ahead per endpoint, oldest first, with when they were
/// claimed. Shared with the workers, which hand a slot they free straight
/// to the next one.
pub(super) type Waiting =
    Arc<std::sync::Mutex<HashMap<String, VecDeque<(ClaimedDelivery, Instant)>>>>;

pub(super) fn lock(
    waiting: &Waiting,
) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<(ClaimedDelivery, Instant)>>> {
    // Every critical section leaves the map whole, so a poisoned lock is usable.
    waiting.lock().unwrap_or_else(|e| e.into_inner())
}

/// The concurrency limit of a delivery's endpoint: its own, or the default.
fn limit_of(delivery: &ClaimedDelivery, default_limit: usize) -> usize {
    delivery
        .max_concurrent
        .map_or(default_limit, |limit| limit as usize)
}

/// What an attempt runs under: its endpoint's slot and, for a retry, a
/// slot of the retry budget.
pub(super) struct Admission {
    slot: Slot,
    retry: Option<RetryPermit>,
}

/// Why a delivery cannot start now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Held {
    /// Its endpoint's circuit or window.
    ByEndpoint,
    /// It is a retry and retries hold the whole budget.
    ByRetryBudget,
}

/// Starts attempts and keeps what waits for a slot; shared by the
/// scheduler, the workers and the dispatches that start fresh deliveries.
pub(super) struct Launcher {
    pub(super) ctx: Arc<DeliveryContext>,
    /// The global limit: one permit per attempt in flight.
    pub(super) permits: Arc<Semaphore>,
    pub(super) workers: TaskTracker,
    /// Cancelled when the shutdown grace period ends: attempts still running
    /// are cut short and their leases released.
    pub(super) abandon: CancellationToken,
    /// Cancelled when draining starts: no waiting delivery starts after.
    pub(super) draining: CancellationToken,
    /// Deliveries leased to this process, waiting for a slot of their endpoint.
    pub(super) waiting: Waiting,
    /// How long a delivery may wait for a slot and still finish its
    /// attempt within its lease.
    pub(super) max_wait: Duration,
    /// Requests in flight per endpoint, unless the endpoint sets its own.
    pub(super) default_limit: usize,
}

impl Launcher {
    /// Admits a delivery's attempt if its endpoint and, for a retry, the
    /// retry budget allow it now.
    pub(super) fn admit(&self, delivery: &ClaimedDelivery, now: i64) -> Result<Admission, Held> {
        let retry = match is_retry(delivery) {
            true => Some(
                self.ctx
                    .retry_budget
                    .try_take()
                    .ok_or(Held::ByRetryBudget)?,
            ),
            false => None,
        };
        let limit = limit_of(delivery, self.default_limit);
        match self.ctx.health.try_begin(&delivery.endpoint_id, limit, now) {
            Some(slot) => Ok(Admission { slot, retry }),
            None => {
                if let Some(permit) = retry {
                    permit.give_back();
                }
                Err(Held::ByEndpoint)
            }
        }
    }

    /// Leaves `delivery` waiting, leased to this process, for a slot of its
    /// endpoint.
    pub(super) fn wait(&self, delivery: ClaimedDelivery) {
        let limit = limit_of(&delivery, self.default_limit);
        self.ctx.health.know_limit(&delivery.endpoint_id, limit);
        lock(&self.waiting)
            .entry(delivery.endpoint_id.to_string())
            .or_default()
            .push_back((delivery, Instant::now()));
    }

    /// The next waiting delivery of `endpoint`, admitted, if its endpoint
    /// may take it now. Deliveries that waited too long are left for the
    /// scheduler to put back.
    fn take_waiting(&self, endpoint: &str) -> Option<(ClaimedDelivery, Admission)> {
        let now = now_millis();
        if !self.ctx.health.may_start_waiting(endpoint, now) {
            return None;
        }
        let mut waiting = lock(&self.waiting);
        let queue = waiting.get_mut(endpoint)?;
        let (front, claimed_at) = queue.front()?;
        if claimed_at.elapsed() > self.max_wait {
            return None;
        }
        let admission = self.admit(front, now).ok()?;
        let (delivery, _) = queue.pop_front()?;
        if queue.is_empty() {
            waiting.remove(endpoint);
        }
        Some((delivery, admission))
    }

    pub(super) fn spawn_attempt(
        self: &Arc<Self>,
        delivery: ClaimedDelivery,
        admission: Admission,
        permit: OwnedSemaphorePermit,
    ) {
        let launcher = Arc::clone(self);
        self.workers.spawn(async move {
            let Admission { slot, mut retry } = admission;
            let endpoint = delivery.endpoint_id.to_string();
            let mut permit = Some(permit);
            // A success frees its endpoint's slot as soon as the answer is
            // in: the endpoint's next waiting delivery takes it, with this
            // attempt's global slot, at once. Not after this result's
            // commit, nor through the scheduler's loop, which may be
            // waiting on the store meanwhile. The limits bound requests in
            // flight, not results waiting for a commit.
            let hand_over = || {
                drop(retry.take());
                if launcher.draining.is_cancelled() {
                    return;
                }
                if let Some((next, admission)) = launcher.take_waiting(&endpoint) {
                    let permit = permit.take().expect("handed over once");
                    launcher.spawn_attempt(next, admission, permit);
                }
            };
            attempt_delivery(&launcher.ctx, delivery, slot, &launcher.abandon, hand_over).await;
            drop(retry);
            drop(permit);
        });
    }
}

/// Starts the deliveries a dispatch leased to this process, under the
/// same limits as claimed ones.
pub(super) struct FreshStarter {
    launcher: Arc<Launcher>,
    /// Identifies this process in lease columns.
    owner: String,
    lease: Duration,
    sequence: AtomicU64,
}

impl FreshStarter {
    pub(super) fn new(launcher: Arc<Launcher>, owner: String, lease: Duration) -> Self {
        FreshStarter {
            launcher,
            owner,
            lease,
            sequence: AtomicU64::new(0),
        }
    }
}

impl FreshStarts for FreshStarter {
    fn free_slots(&self) -> usize {
        match self.launcher.draining.is_cancelled() {
            true => 0,
            false => self.launcher.permits.available_permits(),
        }
    }

    fn endpoint_room(&self, endpoint: &str, limit: Option<u32>) -> usize {
        let limit = limit.map_or(self.launcher.default_limit, |limit| limit as usize);
        let waiting = lock(&self.launcher.waiting)
            .get(endpoint)
            .map_or(0, VecDeque::len);
        self.launcher
            .ctx
            .health
            .free_slots(endpoint, limit, now_millis())
            .saturating_sub(waiting)
    }

    fn lease(&self, now: i64) -> FreshLease {
        let sequence = self.sequence.fetch_add(1, Ordering::Relaxed) + 1;
        FreshLease {
            owner: self.owner.clone(),
            token: format!("{}:fresh:{sequence}", self.owner),
            until: now + i64::try_from(self.lease.as_millis()).unwrap_or(i64::MAX / 2),
        }
    }

    fn start(&self, deliveries: Vec<ClaimedDelivery>) {
        let launcher = &self.launcher;
        // Leased just before draining began: the drain releases this
        // process's leases (one that outlives it expires, or is recovered
        // at the next start on SQLite), so they are attempted later.
        if launcher.draining.is_cancelled() {
            return;
        }
        let now = now_millis();
        for delivery in deliveries {
            launcher.ctx.updates.publish(Update::delivery_created(
                UpdateKind::Created,
                delivery.endpoint_id.clone(),
                delivery.delivery_id.clone(),
                Some(delivery.event_id.clone()),
                Some(delivery.event_type.clone()),
            ));
            // The room was counted when the dispatch was written; a claim
            // may have taken a slot since. Then it waits, like a delivery
            // claimed ahead, and the freed slot wakes the scheduler.
            let permit = Arc::clone(&launcher.permits).try_acquire_owned().ok();
            match (permit, launcher.admit(&delivery, now)) {
                (Some(permit), Ok(admission)) => {
                    launcher.spawn_attempt(delivery, admission, permit)
                }
                (_, admission) => {
                    drop(admission);
                    launcher.wait(delivery);
                    launcher.ctx.health.slot_freed().notify_one();
                }
            }
        }
    }
}
