//! The scheduler: claims due deliveries with a lease and starts each
//! attempt under the global concurrency limit (see `launch`). Fresh
//! deliveries with room to start are leased by their dispatch instead, and
//! need no claim.
//!
//! It sleeps until the next due time or until it is woken (by `Dispatch` or a
//! worker that scheduled a retry); polling is only the fallback for work
//! that other instances create and for expired leases.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{error, info, warn};

use super::launch::{FreshStarter, Held, Launcher, Waiting, lock};
use super::worker::DeliveryContext;
use crate::clock::now_millis;
use crate::delivery::health::{Blocked, PREFETCH_FACTOR};
use crate::store::{ClaimOutcome, ClaimedDelivery, EndpointRoom, FreshStarts, Lease};

/// Shortest idle sleep, so a clock oddity can never become a busy loop.
const MIN_IDLE_SLEEP: Duration = Duration::from_millis(5);

/// Longest pause after a failed claim while the store is unavailable.
const MAX_CLAIM_BACKOFF: Duration = Duration::from_secs(5);

pub struct SchedulerSettings {
    /// Identifies this process in lease columns.
    pub instance_id: String,
    pub max_concurrent_deliveries: usize,
    pub claim_batch_size: usize,
    pub lease: Duration,
    pub poll_interval: Duration,
    pub shutdown_grace: Duration,
    /// Requests in flight per endpoint, unless the endpoint sets its own.
    pub max_concurrent_per_endpoint: usize,
    /// Longest a request may take; a delivery claimed ahead must start
    /// early enough to finish within its lease.
    pub request_timeout: Duration,
}

pub struct Scheduler {
    settings: SchedulerSettings,
    launcher: Arc<Launcher>,
    claim_sequence: u64,
}

/// What ended the scheduler's last sleep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WokenBy {
    /// New work may be due: a dispatch, a retry, a replay, an endpoint
    /// enabled, or the loop has just started.
    Work,
    /// Only a slot was freed.
    FreedSlot,
    /// The sleep ran out.
    Timer,
}

/// What the last claim (or the store's next due time) showed: nothing is
/// due before `until` except deliveries of the `excluded` endpoints.
/// While it holds, a freed slot needs no claim unless one of those
/// endpoints may lease again. At low rates most freed slots are of this
/// kind, and each would otherwise cost a claim and a read of the next due
/// time.
struct Quiet {
    excluded: Vec<String>,
    until: Instant,
}

impl Quiet {
    /// Whether a claim now would find nothing: before `until`, with every
    /// endpoint excluded then still excluded.
    fn holds(&self, now: Instant, blocked: &Blocked) -> bool {
        now < self.until
            && self
                .excluded
                .iter()
                .all(|endpoint| blocked.endpoints.contains(endpoint))
    }

    fn remaining(&self, now: Instant) -> Duration {
        self.until.saturating_duration_since(now)
    }
}

impl Scheduler {
    pub fn new(ctx: Arc<DeliveryContext>, settings: SchedulerSettings) -> Self {
        let launcher = Launcher {
            ctx,
            permits: Arc::new(Semaphore::new(settings.max_concurrent_deliveries)),
            workers: TaskTracker::new(),
            abandon: CancellationToken::new(),
            draining: CancellationToken::new(),
            waiting: Waiting::default(),
            // A delivery that waits longer might not finish within its lease.
            max_wait: settings.lease.saturating_sub(settings.request_timeout) / 2,
            default_limit: settings.max_concurrent_per_endpoint,
        };
        Scheduler {
            settings,
            launcher: Arc::new(launcher),
            claim_sequence: 0,
        }
    }

    /// Where dispatches hand the fresh deliveries they lease to this
    /// process, to start at once.
    pub fn fresh_starts(&self) -> Arc<dyn FreshStarts> {
        Arc::new(FreshStarter::new(
            Arc::clone(&self.launcher),
            self.settings.instance_id.clone(),
            self.settings.lease,
        ))
    }

    /// Runs until `stop` is cancelled, then drains: in-flight attempts get
    /// the grace period, what remains is abandoned and its leases released.
    pub async fn run_until_stopped(mut self, stop: CancellationToken) {
        let wake = Arc::clone(&self.launcher.ctx.wake);
        let health = Arc::clone(&self.launcher.ctx.health);
        let mut claim_failures: u32 = 0;
        let mut last_reclaim = Instant::now();
        let mut woken_by = WokenBy::Work;
        let mut quiet: Option<Quiet> = None;
        loop {
            let Some(mut permits) = self.acquire_permits(&stop).await else {
                break;
            };
            if last_reclaim.elapsed() >= self.settings.poll_interval {
                self.reclaim_expired().await;
                last_reclaim = Instant::now();
                // Reclaimed leases and released ordering keys are due now.
                quiet = None;
            }
            self.start_waiting(&mut permits).await;
            if permits.is_empty() {
                continue;
            }
            // Endpoints whose circuit is open or that have nothing more to
            // lease keep their deliveries unclaimed: no slot, no attempt spent.
            let blocked = self
                .launcher
                .ctx
                .health
                .blocked(now_millis(), &self.waiting_counts());
            let skip_claim = woken_by == WokenBy::FreedSlot
                && quiet
                    .as_ref()
                    .is_some_and(|quiet| quiet.holds(Instant::now(), &blocked));
            let requested = permits.len();
            let outcome = match skip_claim {
                true => Ok(ClaimOutcome::NothingDue),
                false => {
                    // Work announced until now is committed, so this claim
                    // sees it: its notification would only bring a second,
                    // empty claim. (The dispatches that share a commit
                    // each announce their own.)
                    let _ = wake.notified().now_or_never();
                    self.claim(requested, &blocked).await
                }
            };
            let mut excluded = blocked.endpoints;
            match outcome {
                Ok(ClaimOutcome::Claimed(deliveries)) => {
                    claim_failures = 0;
                    let all_due_taken = deliveries.len() < requested;
                    for delivery in deliveries {
                        self.start_or_wait(delivery, &mut permits);
                    }
                    if !all_due_taken {
                        woken_by = WokenBy::Work;
                        continue;
                    }
                    // The claim took every due delivery it was allowed to,
                    // up to each endpoint's room: the rest belong to
                    // endpoints that are now out of room.
                    let now_blocked = self
                        .launcher
                        .ctx
                        .health
                        .blocked(now_millis(), &self.waiting_counts());
                    for endpoint in now_blocked.endpoints {
                        if !excluded.contains(&endpoint) {
                            excluded.push(endpoint);
                        }
                    }
                }
                Ok(ClaimOutcome::NothingDue) => claim_failures = 0,
                Err(e) => {
                    drop(permits);
                    quiet = None;
                    claim_failures = claim_failures.saturating_add(1);
                    let backoff = (Duration::from_millis(100)
                        * 2u32.saturating_pow(claim_failures))
                    .min(MAX_CLAIM_BACKOFF);
                    error!(error.message = %e, retry_in_ms = backoff.as_millis() as u64, "failed to claim due deliveries");
                    tokio::select! {
                        _ = stop.cancelled() => break,
                        _ = tokio::time::sleep(backoff) => {}
                    }
                    woken_by = WokenBy::Work;
                    continue;
                }
            }
            drop(permits);
            // Deliveries waiting for a slot: the slot's release wakes this
            // loop, no need to ask the store when work is due.
            let nothing_waiting = lock(&self.launcher.waiting).is_empty();
            let sleep_for = match (skip_claim, nothing_waiting) {
                (true, _) => quiet
                    .as_ref()
                    .map_or(MIN_IDLE_SLEEP, |quiet| quiet.remaining(Instant::now())),
                (false, true) => self.idle_sleep(&excluded, blocked.next_trial_at).await,
                (false, false) => self.settings.poll_interval,
            };
            if !skip_claim {
                // Nothing else is due before the sleep ends, except for the
                // excluded endpoints: a freed slot wakes the loop again, but
                // claims only once one of them may lease again.
                quiet = nothing_waiting.then(|| Quiet {
                    excluded,
                    until: Instant::now() + sleep_for,
                });
            }
            woken_by = tokio::select! {
                _ = stop.cancelled() => break,
                _ = wake.notified() => WokenBy::Work,
                _ = health.slot_freed().notified() => WokenBy::FreedSlot,
                _ = tokio::time::sleep(sleep_for) => WokenBy::Timer,
            };
        }
        self.drain().await;
    }

    /// Deliveries claimed ahead and waiting for a slot, per endpoint.
    fn waiting_counts(&self) -> HashMap<String, usize> {
        lock(&self.launcher.waiting)
            .iter()
            .map(|(endpoint, queue)| (endpoint.clone(), queue.len()))
            .collect()
    }

    /// Waits for one free slot, then takes every other free slot up to the
    /// batch size. `None` when stopped.
    async fn acquire_permits(&self, stop: &CancellationToken) -> Option<Vec<OwnedSemaphorePermit>> {
        let first = tokio::select! {
            _ = stop.cancelled() => return None,
            permit = Arc::clone(&self.launcher.permits).acquire_owned() => {
                permit.expect("the semaphore is never closed")
            }
        };
        let mut permits = vec![first];
        while permits.len() < self.settings.claim_batch_size {
            match Arc::clone(&self.launcher.permits).try_acquire_owned() {
                Ok(permit) => permits.push(permit),
                Err(_) => break,
            }
        }
        Some(permits)
    }

    async fn claim(
        &mut self,
        limit: usize,
        blocked: &Blocked,
    ) -> Result<ClaimOutcome, crate::store::StoreError> {
        self.claim_sequence += 1;
        let token = format!("{}:{}", self.settings.instance_id, self.claim_sequence);
        let now = now_millis();
        let lease = Lease {
            owner: &self.settings.instance_id,
            token: &token,
            now,
            until: now + self.settings.lease.as_millis() as i64,
        };
        let room = EndpointRoom {
            excluded: &blocked.endpoints,
            room: &blocked.room,
            default_limit: self.settings.max_concurrent_per_endpoint,
            prefetch_factor: PREFETCH_FACTOR,
        };
        self.launcher.ctx.store.claim_due(lease, limit, &room).await
    }

    /// Starts the attempt if it is admitted and a permit is left;
    /// otherwise it waits, leased to this process.
    fn start_or_wait(
        &mut self,
        delivery: ClaimedDelivery,
        permits: &mut Vec<OwnedSemaphorePermit>,
    ) {
        if !permits.is_empty() {
            match self.launcher.admit(&delivery, now_millis()) {
                Ok(admission) => {
                    let permit = permits.pop().expect("checked above");
                    self.launcher.spawn_attempt(delivery, admission, permit);
                    return;
                }
                Err(Held::ByRetryBudget) => self.launcher.ctx.retry_budget.defer(),
                Err(Held::ByEndpoint) => {}
            }
        }
        self.launcher.wait(delivery);
    }

    /// Starts waiting deliveries whose endpoint has a free slot. Puts back
    /// those of an endpoint whose last attempt failed (it gets exactly its
    /// limit) and those that waited so long their lease might run out.
    async fn start_waiting(&mut self, permits: &mut Vec<OwnedSemaphorePermit>) {
        let mut all = std::mem::take(&mut *lock(&self.launcher.waiting));
        if all.is_empty() {
            return;
        }
        let now = now_millis();
        let max_wait = self.launcher.max_wait;
        let mut put_back = Vec::new();
        let mut endpoints: Vec<String> = all.keys().cloned().collect();
        endpoints.sort();
        for endpoint in endpoints {
            let mut queue = all.remove(&endpoint).unwrap_or_default();
            if !self.launcher.ctx.health.may_start_waiting(&endpoint, now) {
                put_back.extend(queue.drain(..).map(|(delivery, _)| delivery));
                continue;
            }
            while let Some((delivery, claimed_at)) = queue.pop_front() {
                if claimed_at.elapsed() > max_wait {
                    put_back.push(delivery);
                    continue;
                }
                let admission = match permits.is_empty() {
                    true => None,
                    false => self.launcher.admit(&delivery, now).ok(),
                };
                let Some(admission) = admission else {
                    queue.push_front((delivery, claimed_at));
                    break;
                };
                let permit = permits.pop().expect("checked above");
                self.launcher.spawn_attempt(delivery, admission, permit);
            }
            if !queue.is_empty() {
                // A dispatch may have left fresh deliveries of this
                // endpoint waiting meanwhile: they go behind the older ones.
                let mut waiting = lock(&self.launcher.waiting);
                queue.extend(waiting.remove(&endpoint).unwrap_or_default());
                waiting.insert(endpoint, queue);
            }
        }
        for delivery in put_back {
            if let Err(e) = self
                .launcher
                .ctx
                .store
                .release_delivery(&delivery.delivery_id, &delivery.lease_token, now)
                .await
            {
                warn!(error.message = %e, "failed to put back a waiting delivery; its lease will expire");
            }
        }
    }

    async fn reclaim_expired(&self) {
        match self
            .launcher
            .ctx
            .store
            .reclaim_expired_leases(now_millis())
            .await
        {
            Ok(0) => {}
            Ok(reclaimed) => warn!(reclaimed, "reclaimed deliveries whose lease expired"),
            Err(e) => warn!(error.message = %e, "failed to reclaim expired leases"),
        }
    }

    /// How long to sleep when nothing is due: until the next due time or
    /// lease expiry, at most the poll interval, and no later than an open
    /// circuit's next trial.
    async fn idle_sleep(&self, excluded: &[String], next_trial_at: Option<i64>) -> Duration {
        let poll = next_trial_at.map_or(self.settings.poll_interval, |trial| {
            let until_trial =
                Duration::from_millis(u64::try_from(trial - now_millis()).unwrap_or(0));
            until_trial.min(self.settings.poll_interval)
        });
        match self.launcher.ctx.store.next_wakeup_at(excluded).await {
            Ok(Some(at)) if at <= now_millis() => {
                // Due work that the claim did not find is held by an expired
                // lease: reclaim it now rather than at the next poll.
                self.reclaim_expired().await;
                MIN_IDLE_SLEEP
            }
            Ok(Some(at)) => {
                let until_due =
                    Duration::from_millis(u64::try_from(at - now_millis()).unwrap_or(0));
                // `poll` is below the minimum when a circuit's trial is due.
                until_due.clamp(MIN_IDLE_SLEEP, poll.max(MIN_IDLE_SLEEP))
            }
            Ok(None) => poll,
            Err(e) => {
                warn!(error.message = %e, "failed to read the next due time");
                poll
            }
        }
    }

    async fn drain(self) {
        self.launcher.draining.cancel();
        self.launcher.workers.close();
        let in_flight = self.launcher.workers.len();
        if in_flight > 0 {
            info!(
                in_flight,
                grace_ms = self.settings.shutdown_grace.as_millis() as u64,
                "waiting for in-flight deliveries"
            );
        }
        if tokio::time::timeout(self.settings.shutdown_grace, self.launcher.workers.wait())
            .await
            .is_err()
        {
            warn!(
                abandoned = self.launcher.workers.len(),
                "grace period over, abandoning in-flight deliveries"
            );
            self.launcher.abandon.cancel();
            self.launcher.workers.wait().await;
        }
        match self
            .launcher
            .ctx
            .store
            .release_leases(&self.settings.instance_id)
            .await
        {
            Ok(0) => {}
            Ok(released) => info!(released, "released leases of unfinished deliveries"),
            Err(e) => {
                warn!(error.message = %e, "failed to release leases; they will expire on their own")
            }
        }
        info!("scheduler stopped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocked(endpoints: &[&str]) -> Blocked {
        Blocked {
            endpoints: endpoints.iter().map(|e| e.to_string()).collect(),
            ..Blocked::default()
        }
    }

    #[test]
    fn quiet_holds_until_its_time_while_every_excluded_endpoint_stays_excluded() {
        let start = Instant::now();
        let quiet = Quiet {
            excluded: vec!["ep_full".to_owned()],
            until: start + Duration::from_millis(100),
        };
        assert!(quiet.holds(start, &blocked(&["ep_full"])));
        assert!(
            quiet.holds(start, &blocked(&["ep_full", "ep_other"])),
            "an endpoint newly excluded had nothing due at the claim"
        );
        assert!(
            !quiet.holds(start, &blocked(&[])),
            "an endpoint that may lease again may have due deliveries"
        );
        assert!(!quiet.holds(start + Duration::from_millis(100), &blocked(&["ep_full"])));
        assert_eq!(
            quiet.remaining(start + Duration::from_millis(40)),
            Duration::from_millis(60)
        );
    }
}
