//! What metrics and the dashboard read: attempts grouped in the database,
//! backlogs, recent attempts and the attempt history behind
//! StreamDeliveries' `since_time`.

use async_trait::async_trait;

use super::StoreError;
use super::backend::{Backend, SqlStore};
use super::model::{AttemptHistory, AttemptStat, PendingStat, RecentAttempt};
use crate::domain::EndpointId;

#[async_trait]
pub trait MetricsStore: Send + Sync {
    /// Attempts started at or after `since`, grouped for metrics (see
    /// `AttemptStat`); only `endpoint`'s when given.
    async fn attempt_stats(
        &self,
        since: i64,
        bucket_ms: i64,
        endpoint: Option<&EndpointId>,
    ) -> Result<Vec<AttemptStat>, StoreError>;

    /// Deliveries dead-lettered at or after `since`.
    async fn dead_lettered_since(
        &self,
        since: i64,
        endpoint: Option<&EndpointId>,
    ) -> Result<u64, StoreError>;

    /// Pending deliveries per endpoint.
    async fn pending_by_endpoint(&self) -> Result<Vec<PendingStat>, StoreError>;

    /// Attempts started at or after `since`, oldest first, at most `limit`.
    async fn attempt_history(
        &self,
        since: i64,
        limit: usize,
    ) -> Result<Vec<AttemptHistory>, StoreError>;

    /// The latest attempts, newest first; only failed ones with `failed_only`.
    async fn recent_attempts(
        &self,
        failed_only: bool,
        limit: usize,
    ) -> Result<Vec<RecentAttempt>, StoreError>;
}

#[async_trait]
impl<DB: Backend> MetricsStore for SqlStore<DB> {
    async fn attempt_stats(
        &self,
        since: i64,
        bucket_ms: i64,
        endpoint: Option<&EndpointId>,
    ) -> Result<Vec<AttemptStat>, StoreError> {
        let mut conn = self.read.acquire().await?;
        let endpoint = endpoint.map(EndpointId::as_str);
        Ok(DB::attempt_stats(&mut conn, since, bucket_ms, endpoint).await?)
    }

    async fn dead_lettered_since(
        &self,
        since: i64,
        endpoint: Option<&EndpointId>,
    ) -> Result<u64, StoreError> {
        let mut conn = self.read.acquire().await?;
        let endpoint = endpoint.map(EndpointId::as_str);
        Ok(DB::dead_lettered_since(&mut conn, since, endpoint).await?)
    }

    async fn pending_by_endpoint(&self) -> Result<Vec<PendingStat>, StoreError> {
        let mut conn = self.read.acquire().await?;
        Ok(DB::pending_by_endpoint(&mut conn).await?)
    }

    async fn attempt_history(
        &self,
        since: i64,
        limit: usize,
    ) -> Result<Vec<AttemptHistory>, StoreError> {
        let mut conn = self.read.acquire().await?;
        Ok(DB::attempt_history(&mut conn, since, limit).await?)
    }

    async fn recent_attempts(
        &self,
        failed_only: bool,
        limit: usize,
    ) -> Result<Vec<RecentAttempt>, StoreError> {
        let mut conn = self.read.acquire().await?;
        Ok(DB::recent_attempts(&mut conn, failed_only, limit).await?)
    }
}
