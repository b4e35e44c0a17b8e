//! The connection a write batch runs on, as the batch writer sees it: its
//! statements, one method each. Two kinds: a sqlx connection of either
//! backend, and SQLite's own interface on the writer thread
//! (`sqlite_writer.rs`), which spares the batch sqlx's thread hand-off per
//! statement.

use std::collections::HashSet;
use std::future::Future;

use super::StoreError;
use super::backend::Backend;
use super::model::AttemptResult;
use super::rows::RoutingRow;
use super::sql::{DirectSqlite, NewDelivery};
use crate::domain::Event;

/// The statements of a write batch, inside its transaction.
pub(super) trait BatchConnection: Send {
    /// Serialises the dispatches of these ordering keys (sorted) until the
    /// transaction ends; see `Backend::lock_ordering_keys`.
    fn lock_ordering_keys(
        &mut self,
        keys: &[&str],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn routing_version(&mut self) -> impl Future<Output = Result<Option<i64>, StoreError>> + Send;

    fn routing_endpoints(
        &mut self,
    ) -> impl Future<Output = Result<Vec<RoutingRow>, StoreError>> + Send;

    /// Inserts the events, skipping repeated idempotency keys; returns the
    /// ids inserted.
    fn insert_events(
        &mut self,
        events: &[&Event],
    ) -> impl Future<Output = Result<HashSet<String>, StoreError>> + Send;

    /// (endpoint, key) of the unfinished deliveries of these ordering keys.
    fn unfinished_ordering_keys(
        &mut self,
        keys: &[&str],
    ) -> impl Future<Output = Result<Vec<(String, String)>, StoreError>> + Send;

    fn insert_deliveries(
        &mut self,
        deliveries: &[NewDelivery<'_>],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Tells other instances that new deliveries are due.
    fn announce_due_work(
        &mut self,
        origin: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The event of idempotency key `key` and its deliveries' ids.
    fn existing_dispatch(
        &mut self,
        key: &str,
    ) -> impl Future<Output = Result<Option<(String, Vec<String>)>, StoreError>> + Send;

    /// Appends the attempts and moves the deliveries whose lease holds;
    /// returns the ids that moved.
    fn record_attempts(
        &mut self,
        results: &[&AttemptResult],
        now: i64,
    ) -> impl Future<Output = Result<HashSet<String>, StoreError>> + Send;

    fn reset_failures(
        &mut self,
        endpoint_ids: &[&str],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The endpoint's failure count after counting one more; `None` if it
    /// is gone.
    fn count_failure(
        &mut self,
        endpoint_id: &str,
    ) -> impl Future<Output = Result<Option<i64>, StoreError>> + Send;

    /// Whether this call disabled the endpoint.
    fn auto_disable(
        &mut self,
        endpoint_id: &str,
        reason: &str,
        now: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    fn release_ordered_head(
        &mut self,
        endpoint: &str,
        key: &str,
        now: i64,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    fn write_probe(
        &mut self,
        ballast: &[u8],
        now: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// A sqlx connection (a transaction's) of either backend.
pub(super) struct Pooled<'c, DB: Backend>(pub(super) &'c mut DB::Connection);

impl<DB: Backend> BatchConnection for Pooled<'_, DB> {
    async fn lock_ordering_keys(&mut self, keys: &[&str]) -> Result<(), StoreError> {
        DB::lock_ordering_keys(self.0, keys).await
    }

    async fn routing_version(&mut self) -> Result<Option<i64>, StoreError> {
        Ok(DB::routing_version(self.0).await?)
    }

    async fn routing_endpoints(&mut self) -> Result<Vec<RoutingRow>, StoreError> {
        Ok(DB::routing_endpoints(self.0).await?)
    }

    async fn insert_events(&mut self, events: &[&Event]) -> Result<HashSet<String>, StoreError> {
        DB::insert_event_batch(self.0, events).await
    }

    async fn unfinished_ordering_keys(
        &mut self,
        keys: &[&str],
    ) -> Result<Vec<(String, String)>, StoreError> {
        Ok(DB::unfinished_ordering_keys(self.0, keys).await?)
    }

    async fn insert_deliveries(
        &mut self,
        deliveries: &[NewDelivery<'_>],
    ) -> Result<(), StoreError> {
        DB::insert_delivery_batch(self.0, deliveries).await
    }

    async fn announce_due_work(&mut self, origin: &str) -> Result<(), StoreError> {
        DB::announce_due_work(self.0, origin).await
    }

    async fn existing_dispatch(
        &mut self,
        key: &str,
    ) -> Result<Option<(String, Vec<String>)>, StoreError> {
        Ok(DB::existing_dispatch(self.0, key).await?)
    }

    async fn record_attempts(
        &mut self,
        results: &[&AttemptResult],
        now: i64,
    ) -> Result<HashSet<String>, StoreError> {
        DB::record_attempt_batch(self.0, results, now).await
    }

    async fn reset_failures(&mut self, endpoint_ids: &[&str]) -> Result<(), StoreError> {
        Ok(DB::reset_failures(self.0, endpoint_ids).await?)
    }

    async fn count_failure(&mut self, endpoint_id: &str) -> Result<Option<i64>, StoreError> {
        Ok(DB::count_failure(self.0, endpoint_id).await?)
    }

    async fn auto_disable(
        &mut self,
        endpoint_id: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        Ok(DB::auto_disable(self.0, endpoint_id, reason, now).await?)
    }

    async fn release_ordered_head(
        &mut self,
        endpoint: &str,
        key: &str,
        now: i64,
    ) -> Result<u64, StoreError> {
        DB::release_ordered_head(self.0, endpoint, key, now).await
    }

    async fn write_probe(&mut self, ballast: &[u8], now: i64) -> Result<(), StoreError> {
        Ok(DB::write_probe(self.0, ballast, now).await?)
    }
}

/// SQLite's own interface, on the thread that owns the connection. Each
/// statement runs as it is called; the futures never wait.
impl BatchConnection for DirectSqlite {
    async fn lock_ordering_keys(&mut self, _keys: &[&str]) -> Result<(), StoreError> {
        // One writer per SQLite file: nothing to serialise.
        Ok(())
    }

    async fn routing_version(&mut self) -> Result<Option<i64>, StoreError> {
        Ok(DirectSqlite::routing_version(self)?)
    }

    async fn routing_endpoints(&mut self) -> Result<Vec<RoutingRow>, StoreError> {
        Ok(DirectSqlite::routing_endpoints(self)?)
    }

    async fn insert_events(&mut self, events: &[&Event]) -> Result<HashSet<String>, StoreError> {
        Ok(DirectSqlite::insert_events(self, events)?)
    }

    async fn unfinished_ordering_keys(
        &mut self,
        keys: &[&str],
    ) -> Result<Vec<(String, String)>, StoreError> {
        Ok(DirectSqlite::unfinished_ordering_keys(self, keys)?)
    }

    async fn insert_deliveries(
        &mut self,
        deliveries: &[NewDelivery<'_>],
    ) -> Result<(), StoreError> {
        Ok(DirectSqlite::insert_deliveries(self, deliveries)?)
    }

    async fn announce_due_work(&mut self, _origin: &str) -> Result<(), StoreError> {
        // One process per file: the scheduler is woken in-process.
        Ok(())
    }

    async fn existing_dispatch(
        &mut self,
        key: &str,
    ) -> Result<Option<(String, Vec<String>)>, StoreError> {
        Ok(DirectSqlite::existing_dispatch(self, key)?)
    }

    async fn record_attempts(
        &mut self,
        results: &[&AttemptResult],
        now: i64,
    ) -> Result<HashSet<String>, StoreError> {
        Ok(DirectSqlite::record_attempts(self, results, now)?)
    }

    async fn reset_failures(&mut self, endpoint_ids: &[&str]) -> Result<(), StoreError> {
        Ok(DirectSqlite::reset_failures(self, endpoint_ids)?)
    }

    async fn count_failure(&mut self, endpoint_id: &str) -> Result<Option<i64>, StoreError> {
        Ok(DirectSqlite::count_failure(self, endpoint_id)?)
    }

    async fn auto_disable(
        &mut self,
        endpoint_id: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        Ok(DirectSqlite::auto_disable(self, endpoint_id, reason, now)?)
    }

    async fn release_ordered_head(
        &mut self,
        endpoint: &str,
        key: &str,
        now: i64,
    ) -> Result<u64, StoreError> {
        Ok(DirectSqlite::release_ordered_head(
            self, endpoint, key, now,
        )?)
    }

    async fn write_probe(&mut self, ballast: &[u8], now: i64) -> Result<(), StoreError> {
        Ok(DirectSqlite::write_probe(self, ballast, now)?)
    }
}
