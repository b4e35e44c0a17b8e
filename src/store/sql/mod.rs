//! The SQL both backends share. The statements are in `queries/*.sql` (with
//! `$N` placeholders, which SQLite accepts too); `Sql` runs them on a
//! connection of either backend and decodes the rows.
//!
//! `Sql` is implemented once, generically, in `shared.rs`: the bounds that
//! sqlx needs to bind and decode our column types are stated on that one
//! impl (Rust does not carry a trait's where-clauses to its users, so they
//! cannot be stated once anywhere else). Code generic over a backend then
//! needs only `DB: Sql`. Statements whose dialect really differs (claim,
//! next wake-up, notify) belong to the backends (`sqlite.rs`,
//! `postgres.rs`).

mod direct;
mod dynamic;
mod queries;
mod shared;
mod statement;

use std::collections::HashSet;
use std::future::Future;

use sqlx::Database;

use super::model::{
    AttemptHistory, AttemptResult, AttemptStat, DeliveryQuery, EventQuery, FreshLease, PendingStat,
    Purged, RecentAttempt, RedriveSelection,
};
use super::rows::{
    ApiKeyRow, AttemptRow, DeliveryRow, EndpointRow, EventRow, RoutingRow, StoredSecretsRow,
};
use crate::domain::{DeliveryId, EndpointChanges, EndpointSpec, Event};
pub(crate) use direct::{ClaimArguments, ClaimStatements, DirectSqlite};
use statement::Statement;

type SqlResult<T> = Result<T, sqlx::Error>;

/// A delivery a dispatch creates, due at once unless `held` for the
/// delivery before it in its ordering key, or leased at once to start
/// (`lease`).
pub(crate) struct NewDelivery<'a> {
    pub id: DeliveryId,
    pub event: &'a Event,
    pub endpoint_id: &'a str,
    pub held: bool,
    pub lease: Option<&'a FreshLease>,
    /// Its endpoint is disabled: the delivery waits until it is enabled.
    pub paused: bool,
}

/// A delivery a replay creates.
pub(crate) struct NewReplay {
    pub id: DeliveryId,
    pub event_id: String,
    pub endpoint_id: String,
    pub due: i64,
    /// The original delivery it replays, if the event had one to that
    /// endpoint.
    pub replay_of: Option<String>,
}

/// The shared statements, on one connection (a pooled one, or a
/// transaction's). Each method is one statement unless it says otherwise;
/// the caller owns the transaction.
pub(crate) trait Sql: Database + Sized {
    /// Checks that the database answers.
    fn ping(conn: &mut Self::Connection) -> impl Future<Output = SqlResult<()>> + Send;

    // Events and deliveries: the log.

    fn get_event(
        conn: &mut Self::Connection,
        id: &str,
    ) -> impl Future<Output = SqlResult<Option<EventRow>>> + Send;

    fn list_events(
        conn: &mut Self::Connection,
        query: &EventQuery,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = SqlResult<Vec<EventRow>>> + Send;

    fn event_exists(
        conn: &mut Self::Connection,
        id: &str,
    ) -> impl Future<Output = SqlResult<bool>> + Send;

    fn deliveries_for_event(
        conn: &mut Self::Connection,
        event_id: &str,
    ) -> impl Future<Output = SqlResult<Vec<DeliveryRow>>> + Send;

    fn list_deliveries(
        conn: &mut Self::Connection,
        query: &DeliveryQuery,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = SqlResult<Vec<DeliveryRow>>> + Send;

    fn attempts_for_delivery(
        conn: &mut Self::Connection,
        delivery_id: &str,
    ) -> impl Future<Output = SqlResult<Vec<AttemptRow>>> + Send;

    /// (endpoint id, its first original delivery) for each endpoint the
    /// event was dispatched to.
    fn original_deliveries(
        conn: &mut Self::Connection,
        event_id: &str,
    ) -> impl Future<Output = SqlResult<Vec<(String, String)>>> + Send;

    /// How many deliveries `replay_page` would return over all pages:
    /// those matching `query`, to endpoints that still exist.
    fn count_replayable(
        conn: &mut Self::Connection,
        query: &DeliveryQuery,
    ) -> impl Future<Output = SqlResult<u64>> + Send;

    fn max_delivery_id(
        conn: &mut Self::Connection,
    ) -> impl Future<Output = SqlResult<Option<String>>> + Send;

    /// (id, event id, endpoint id) of the deliveries matching `query` with
    /// ids in (`after`, `ceiling`], to endpoints that still exist.
    fn replay_page(
        conn: &mut Self::Connection,
        query: &DeliveryQuery,
        after: &str,
        ceiling: &str,
        limit: usize,
    ) -> impl Future<Output = SqlResult<Vec<(String, String, String)>>> + Send;

    /// Inserts replays, a few statements for any number.
    fn insert_replays(
        conn: &mut Self::Connection,
        replays: &[NewReplay],
        now: i64,
    ) -> impl Future<Output = SqlResult<()>> + Send;

    /// Starts a fresh retry cycle for the selected dead letters, due at
    /// `now`; returns how many.
    fn redrive(
        conn: &mut Self::Connection,
        selection: &RedriveSelection,
        now: i64,
    ) -> impl Future<Output = SqlResult<u64>> + Send;

    fn count_redrivable(
        conn: &mut Self::Connection,
        selection: &RedriveSelection,
    ) -> impl Future<Output = SqlResult<u64>> + Send;

    /// Deletes dead letters last changed before `cutoff`, their attempts
    /// and events left without deliveries (several statements).
    fn purge_dead_letters(
        conn: &mut Self::Connection,
        cutoff: i64,
    ) -> impl Future<Output = SqlResult<Purged>> + Send;

    // The group-commit writes.

    fn routing_endpoints(
        conn: &mut Self::Connection,
    ) -> impl Future<Output = SqlResult<Vec<RoutingRow>>> + Send;

    /// The counter that every change to what `routing_endpoints` reads
    /// raises; `None` if its row is gone.
    fn routing_version(
        conn: &mut Self::Connection,
    ) -> impl Future<Output = SqlResult<Option<i64>>> + Send;

    /// Inserts the events, skipping those whose idempotency key is taken;
    /// returns the ids inserted. On PostgreSQL a concurrent insert of the
    /// same key makes this wait for it, then skip the row if it committed.
    fn insert_events(
        conn: &mut Self::Connection,
        events: &[&Event],
    ) -> impl Future<Output = SqlResult<HashSet<String>>> + Send;

    /// The event of an idempotency key and the deliveries its dispatch
    /// created; `None` when no event has the key.
    fn existing_dispatch(
        conn: &mut Self::Connection,
        key: &str,
    ) -> impl Future<Output = SqlResult<Option<(String, Vec<String>)>>> + Send;

    fn insert_deliveries(
        conn: &mut Self::Connection,
        deliveries: &[NewDelivery<'_>],
    ) -> impl Future<Output = SqlResult<()>> + Send;

    /// Appends the attempts and moves each delivery whose lease still
    /// holds; returns the ids of the deliveries that moved.
    fn record_attempts(
        conn: &mut Self::Connection,
        results: &[&AttemptResult],
        now: i64,
    ) -> impl Future<Output = SqlResult<HashSet<String>>> + Send;

    /// Clears the failure counts of endpoints that just succeeded.
    /// Which of these (endpoint, ordering key) pairs, given by their keys,
    /// have an unfinished delivery.
    fn unfinished_ordering_keys(
        conn: &mut Self::Connection,
        keys: &[&str],
    ) -> impl Future<Output = SqlResult<Vec<(String, String)>>> + Send;

    fn reset_failures(
        conn: &mut Self::Connection,
        endpoint_ids: &[&str],
    ) -> impl Future<Output = SqlResult<()>> + Send;

    /// Counts one more consecutive failure; returns the count (`None` for
    /// an endpoint that no longer exists).
    fn count_failure(
        conn: &mut Self::Connection,
        endpoint_id: &str,
    ) -> impl Future<Output = SqlResult<Option<i64>>> + Send;

    /// Disables an active endpoint on webhookd's own decision; returns
    /// whether it was active.
    fn auto_disable(
        conn: &mut Self::Connection,
        endpoint_id: &str,
        reason: &str,
        now: i64,
    ) -> impl Future<Output = SqlResult<bool>> + Send;

    /// Overwrites the probe row with `ballast`.
    fn write_probe(
        conn: &mut Self::Connection,
        ballast: &[u8],
        now: i64,
    ) -> impl Future<Output = SqlResult<()>> + Send;

    // Leases.

    /// Puts a claimed delivery back without an attempt, due at `at`.
    fn release_delivery(
        conn: &mut Self::Connection,
        id: &str,
        lease_token: &str,
        at: i64,
    ) -> impl Future<Output = SqlResult<()>> + Send;

    fn reclaim_expired_leases(
        conn: &mut Self::Connection,
        now: i64,
    ) -> impl Future<Output = SqlResult<u64>> + Send;

    fn release_leases(
        conn: &mut Self::Connection,
        owner: &str,
        now: i64,
    ) -> impl Future<Output = SqlResult<u64>> + Send;

    // Endpoints.

    fn upsert_config_endpoint(
        conn: &mut Self::Connection,
        spec: &EndpointSpec,
        now: i64,
    ) -> impl Future<Output = SqlResult<()>> + Send;

    fn config_endpoint_ids(
        conn: &mut Self::Connection,
    ) -> impl Future<Output = SqlResult<Vec<String>>> + Send;

    fn get_endpoint(
        conn: &mut Self::Connection,
        id: &str,
    ) -> impl Future<Output = SqlResult<Option<EndpointRow>>> + Send;

    /// `(active, deleted_at)` of an endpoint row, deleted ones included.
    fn endpoint_state(
        conn: &mut Self::Connection,
        id: &str,
    ) -> impl Future<Output = SqlResult<Option<(bool, Option<i64>)>>> + Send;

    fn list_endpoints(
        conn: &mut Self::Connection,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = SqlResult<Vec<EndpointRow>>> + Send;

    /// Creates an API endpoint; `false` when a live one has the id.
    fn create_endpoint(
        conn: &mut Self::Connection,
        spec: &EndpointSpec,
        now: i64,
    ) -> impl Future<Output = SqlResult<bool>> + Send;

    /// Each method below returns whether a live endpoint had the id.
    fn update_endpoint(
        conn: &mut Self::Connection,
        id: &str,
        changes: &EndpointChanges,
        now: i64,
    ) -> impl Future<Output = SqlResult<bool>> + Send;

    fn delete_endpoint(
        conn: &mut Self::Connection,
        id: &str,
        now: i64,
    ) -> impl Future<Output = SqlResult<bool>> + Send;

    /// Cancels the endpoint's unfinished deliveries; returns how many.
    fn cancel_deliveries_of(
        conn: &mut Self::Connection,
        endpoint_id: &str,
        now: i64,
    ) -> impl Future<Output = SqlResult<u64>> + Send;

    fn enable_endpoint(
        conn: &mut Self::Connection,
        id: &str,
        now: i64,
    ) -> impl Future<Output = SqlResult<bool>> + Send;

    fn disable_endpoint(
        conn: &mut Self::Connection,
        id: &str,
        reason: &str,
        now: i64,
    ) -> impl Future<Output = SqlResult<bool>> + Send;

    fn rotate_endpoint_secret(
        conn: &mut Self::Connection,
        id: &str,
        new_secret: &str,
        replaced_default: &str,
        grace_until: i64,
        now: i64,
    ) -> impl Future<Output = SqlResult<bool>> + Send;

    /// The endpoint's own secret: `None` for no such endpoint,
    /// `Some(None)` for one that signs with the default secret.
    fn endpoint_secret(
        conn: &mut Self::Connection,
        id: &str,
    ) -> impl Future<Output = SqlResult<Option<Option<String>>>> + Send;

    /// Every endpoint with a stored secret.
    fn stored_secrets(
        conn: &mut Self::Connection,
    ) -> impl Future<Output = SqlResult<Vec<StoredSecretsRow>>> + Send;

    fn reseal_secrets(
        conn: &mut Self::Connection,
        id: &str,
        secret: Option<&str>,
        previous_secret: Option<&str>,
    ) -> impl Future<Output = SqlResult<()>> + Send;

    // API keys.

    /// `false` when the name is taken.
    fn create_api_key(
        conn: &mut Self::Connection,
        key: &ApiKeyRow,
    ) -> impl Future<Output = SqlResult<bool>> + Send;

    fn list_api_keys(
        conn: &mut Self::Connection,
    ) -> impl Future<Output = SqlResult<Vec<ApiKeyRow>>> + Send;

    fn get_api_key(
        conn: &mut Self::Connection,
        name: &str,
    ) -> impl Future<Output = SqlResult<Option<ApiKeyRow>>> + Send;

    fn revoke_api_key(
        conn: &mut Self::Connection,
        name: &str,
        now: i64,
    ) -> impl Future<Output = SqlResult<()>> + Send;

    // Metrics.

    fn attempt_stats(
        conn: &mut Self::Connection,
        since: i64,
        bucket_ms: i64,
        endpoint_id: Option<&str>,
    ) -> impl Future<Output = SqlResult<Vec<AttemptStat>>> + Send;

    fn dead_lettered_since(
        conn: &mut Self::Connection,
        since: i64,
        endpoint_id: Option<&str>,
    ) -> impl Future<Output = SqlResult<u64>> + Send;

    fn pending_by_endpoint(
        conn: &mut Self::Connection,
    ) -> impl Future<Output = SqlResult<Vec<PendingStat>>> + Send;

    fn attempt_history(
        conn: &mut Self::Connection,
        since: i64,
        limit: usize,
    ) -> impl Future<Output = SqlResult<Vec<AttemptHistory>>> + Send;

    fn recent_attempts(
        conn: &mut Self::Connection,
        failed_only: bool,
        limit: usize,
    ) -> impl Future<Output = SqlResult<Vec<RecentAttempt>>> + Send;

    // Running statements assembled at run time (`statement.rs`).

    /// A statement's text, with this backend's placeholders, and its
    /// values as this backend's arguments.
    fn query_of<'q>(statement: Statement) -> SqlResult<(String, Self::Arguments<'q>)>;

    /// Runs a statement; returns the number of rows it changed.
    fn execute(
        conn: &mut Self::Connection,
        statement: Statement,
    ) -> impl Future<Output = SqlResult<u64>> + Send;

    fn fetch_rows<T>(
        conn: &mut Self::Connection,
        statement: Statement,
    ) -> impl Future<Output = SqlResult<Vec<T>>> + Send
    where
        T: for<'r> sqlx::FromRow<'r, Self::Row> + Send + Unpin;

    /// The first column of every row.
    fn fetch_column<T>(
        conn: &mut Self::Connection,
        statement: Statement,
    ) -> impl Future<Output = SqlResult<Vec<T>>> + Send
    where
        (T,): for<'r> sqlx::FromRow<'r, Self::Row>,
        T: Send + Unpin;
}

/// Rows per multi-row statement, well under both backends' limits on bound
/// parameters.
pub(crate) const ROWS_PER_STATEMENT: usize = 1000;

/// The LIKE pattern of a prefix pattern, with LIKE's wildcards escaped.
pub(crate) fn like_prefix(prefix: &str) -> String {
    let escaped = prefix
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("{escaped}.%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_prefix_escapes_wildcards() {
        assert_eq!(like_prefix("order"), "order.%");
        assert_eq!(like_prefix("order_v2"), "order\\_v2.%");
    }
}
