//! The delivery queue: due deliveries are claimed under a lease, attempted,
//! and their results recorded, fenced by the lease token so a late result
//! never overwrites a newer state.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::Notify;
use tracing::warn;

use super::StoreError;
use super::backend::{Backend, SqlStore};
use super::model::{AttemptResult, ClaimOutcome, EndpointRoom, FreshStarts, Lease, RecordOutcome};
use crate::clock::now_millis;
use crate::domain::DeliveryId;

#[async_trait]
pub trait DeliveryQueue: Send + Sync {
    /// Leases up to `limit` due deliveries of enabled endpoints, except
    /// those `room` excludes, and no more of an endpoint's than it has room
    /// for.
    async fn claim_due(
        &self,
        lease: Lease<'_>,
        limit: usize,
        room: &EndpointRoom<'_>,
    ) -> Result<ClaimOutcome, StoreError>;

    /// Appends the attempt and, if its lease token still holds the lease,
    /// moves the delivery and updates the endpoint's failure count
    /// (disabling it when the verdict says so).
    async fn record_attempt(&self, result: AttemptResult) -> Result<RecordOutcome, StoreError>;

    /// Puts a claimed delivery back without an attempt, due at `at` (the
    /// endpoint's circuit or concurrency limit held it back).
    async fn release_delivery(
        &self,
        id: &DeliveryId,
        lease_token: &str,
        at: i64,
    ) -> Result<(), StoreError>;

    /// Makes deliveries whose lease expired before `now` claimable again.
    async fn reclaim_expired_leases(&self, now: i64) -> Result<u64, StoreError>;

    /// Returns the leased deliveries of `owner` to `pending` without
    /// spending an attempt (graceful shutdown).
    async fn release_leases(&self, owner: &str) -> Result<u64, StoreError>;

    /// Makes the deliveries a crashed predecessor held claimable at once,
    /// as far as the backend can tell safely. SQLite serves one instance
    /// per file, so every lease at start is orphaned and released; a shared
    /// database leaves leases to expire.
    async fn recover_at_start(&self) -> Result<u64, StoreError>;

    /// The earliest `next_attempt_at` of a pending delivery, or the
    /// earliest lease expiry, whichever comes first.
    async fn next_wakeup_at(&self, excluded: &[String]) -> Result<Option<i64>, StoreError>;

    /// Wakes `wake` whenever another instance dispatches work, until the
    /// future is dropped. Backends without other instances never wake it.
    async fn watch_remote_work(&self, wake: Arc<Notify>);

    /// Hands new deliveries that may start at once to `fresh`, leased by
    /// their dispatch, from now on (see `FreshStarts`). Set once.
    fn start_fresh_with(&self, fresh: Arc<dyn FreshStarts>);
}

#[async_trait]
impl<DB: Backend> DeliveryQueue for SqlStore<DB> {
    async fn claim_due(
        &self,
        lease: Lease<'_>,
        limit: usize,
        room: &EndpointRoom<'_>,
    ) -> Result<ClaimOutcome, StoreError> {
        let rows = DB::claim_due(self, &lease, limit, room).await?;
        if rows.is_empty() {
            return Ok(ClaimOutcome::NothingDue);
        }
        let deliveries = rows
            .into_iter()
            .map(|row| row.into_claimed(lease.token, self.secrets()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ClaimOutcome::Claimed(deliveries))
    }

    async fn record_attempt(&self, result: AttemptResult) -> Result<RecordOutcome, StoreError> {
        self.batched.record_attempt(result).await
    }

    async fn release_delivery(
        &self,
        id: &DeliveryId,
        lease_token: &str,
        at: i64,
    ) -> Result<(), StoreError> {
        let mut conn = self.write.acquire().await?;
        Ok(DB::release_delivery(&mut conn, id.as_str(), lease_token, at).await?)
    }

    async fn reclaim_expired_leases(&self, now: i64) -> Result<u64, StoreError> {
        let mut conn = self.write.acquire().await?;
        let reclaimed = DB::reclaim_expired_leases(&mut conn, now).await?;
        let released = DB::release_stuck_ordered(&mut conn, now).await?;
        if released > 0 {
            warn!(
                released,
                "released deliveries held behind an ordering key whose previous delivery had finished"
            );
        }
        Ok(reclaimed)
    }

    async fn release_leases(&self, owner: &str) -> Result<u64, StoreError> {
        let mut conn = self.write.acquire().await?;
        Ok(DB::release_leases(&mut conn, owner, now_millis()).await?)
    }

    async fn recover_at_start(&self) -> Result<u64, StoreError> {
        DB::recover_at_start(&self.write).await
    }

    async fn next_wakeup_at(&self, excluded: &[String]) -> Result<Option<i64>, StoreError> {
        DB::next_wakeup_at(&self.read, excluded).await
    }

    async fn watch_remote_work(&self, wake: Arc<Notify>) {
        DB::watch_remote_work(self.read.clone(), wake, self.batched.origin()).await;
    }

    fn start_fresh_with(&self, fresh: Arc<dyn FreshStarts>) {
        self.batched.start_fresh_with(fresh);
    }
}
