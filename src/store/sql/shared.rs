//! `Sql` for every backend whose drivers bind and decode our column types
//! (text, 64-bit integers, bytes, booleans): SQLite and PostgreSQL.

use std::collections::HashSet;

use secrecy::ExposeSecret;
use sqlx::{Arguments, ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};

use super::queries::*;
use super::statement::{RowsAffected, Statement, Value};
use super::{NewDelivery, NewReplay, ROWS_PER_STATEMENT, Sql, SqlResult, dynamic};
use crate::domain::{EndpointChanges, EndpointSpec, Event, PayloadFilter, RetrySchedule};
use crate::store::model::{
    AttemptHistory, AttemptResult, AttemptStat, DeliveryQuery, EventQuery, PendingStat, Purged,
    RecentAttempt, RedriveSelection,
};
use crate::store::rows::{
    ApiKeyRow, AttemptRow, DeliveryRow, EndpointRow, EventRow, RoutingRow, StoredSecretsRow,
};

fn as_i64(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

fn as_u64(count: i64) -> u64 {
    u64::try_from(count).unwrap_or(0)
}

impl<DB> Sql for DB
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    for<'q> Option<String>: Encode<'q, DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    for<'q> Vec<u8>: Encode<'q, DB>,
    for<'r> i64: Decode<'r, DB>,
    for<'r> bool: Decode<'r, DB>,
    for<'r> String: Decode<'r, DB>,
    for<'r> Vec<u8>: Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
    DB::QueryResult: RowsAffected,
{
    async fn ping(conn: &mut DB::Connection) -> SqlResult<()> {
        sqlx::query("SELECT 1").execute(&mut *conn).await?;
        Ok(())
    }

    async fn get_event(conn: &mut DB::Connection, id: &str) -> SqlResult<Option<EventRow>> {
        sqlx::query_as(EVENT_GET)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
    }

    async fn list_events(
        conn: &mut DB::Connection,
        query: &EventQuery,
        after: Option<&str>,
        limit: usize,
    ) -> SqlResult<Vec<EventRow>> {
        let statement = dynamic::list_events(query, after, limit);
        DB::fetch_rows(conn, statement).await
    }

    async fn event_exists(conn: &mut DB::Connection, id: &str) -> SqlResult<bool> {
        let found: Option<String> = sqlx::query_scalar(EVENT_EXISTS)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        Ok(found.is_some())
    }

    async fn deliveries_for_event(
        conn: &mut DB::Connection,
        event_id: &str,
    ) -> SqlResult<Vec<DeliveryRow>> {
        let statement = dynamic::deliveries_for_event(event_id);
        DB::fetch_rows(conn, statement).await
    }

    async fn list_deliveries(
        conn: &mut DB::Connection,
        query: &DeliveryQuery,
        after: Option<&str>,
        limit: usize,
    ) -> SqlResult<Vec<DeliveryRow>> {
        let statement = dynamic::list_deliveries(query, after, limit);
        DB::fetch_rows(conn, statement).await
    }

    async fn attempts_for_delivery(
        conn: &mut DB::Connection,
        delivery_id: &str,
    ) -> SqlResult<Vec<AttemptRow>> {
        sqlx::query_as(ATTEMPT_LIST)
            .bind(delivery_id)
            .fetch_all(&mut *conn)
            .await
    }

    async fn original_deliveries(
        conn: &mut DB::Connection,
        event_id: &str,
    ) -> SqlResult<Vec<(String, String)>> {
        sqlx::query_as(DELIVERY_ORIGINAL_IDS)
            .bind(event_id)
            .fetch_all(&mut *conn)
            .await
    }

    async fn count_replayable(conn: &mut DB::Connection, query: &DeliveryQuery) -> SqlResult<u64> {
        let statement = dynamic::count_replayable(query);
        let counts: Vec<i64> = DB::fetch_column(conn, statement).await?;
        Ok(as_u64(counts.first().copied().unwrap_or(0)))
    }

    async fn max_delivery_id(conn: &mut DB::Connection) -> SqlResult<Option<String>> {
        sqlx::query_scalar(DELIVERY_MAX_ID)
            .fetch_one(&mut *conn)
            .await
    }

    async fn replay_page(
        conn: &mut DB::Connection,
        query: &DeliveryQuery,
        after: &str,
        ceiling: &str,
        limit: usize,
    ) -> SqlResult<Vec<(String, String, String)>> {
        let statement = dynamic::replay_page(query, after, ceiling, limit);
        DB::fetch_rows(conn, statement).await
    }

    async fn insert_replays(
        conn: &mut DB::Connection,
        replays: &[NewReplay],
        now: i64,
    ) -> SqlResult<()> {
        let statements: Vec<Statement> = replays
            .chunks(ROWS_PER_STATEMENT)
            .map(|chunk| dynamic::insert_replays(chunk, now))
            .collect();
        for statement in statements {
            DB::execute(conn, statement).await?;
        }
        Ok(())
    }

    async fn redrive(
        conn: &mut DB::Connection,
        selection: &RedriveSelection,
        now: i64,
    ) -> SqlResult<u64> {
        let statement = dynamic::redrive(selection, now);
        DB::execute(conn, statement).await
    }

    async fn count_redrivable(
        conn: &mut DB::Connection,
        selection: &RedriveSelection,
    ) -> SqlResult<u64> {
        let statement = dynamic::count_redrivable(selection);
        let counts: Vec<i64> = DB::fetch_column(conn, statement).await?;
        Ok(as_u64(counts.first().copied().unwrap_or(0)))
    }

    async fn purge_dead_letters(conn: &mut DB::Connection, cutoff: i64) -> SqlResult<Purged> {
        let events: Vec<String> = sqlx::query_scalar(PURGE_EVENTS_OF_DOOMED)
            .bind(cutoff)
            .fetch_all(&mut *conn)
            .await?;
        let attempts = sqlx::query(PURGE_ATTEMPTS)
            .bind(cutoff)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        let deliveries = sqlx::query(PURGE_DELIVERIES)
            .bind(cutoff)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        let mut removed_events = 0;
        for event_id in events {
            removed_events += sqlx::query(PURGE_EVENT_IF_UNUSED)
                .bind(event_id)
                .execute(&mut *conn)
                .await?
                .rows_affected();
        }
        Ok(Purged {
            deliveries,
            attempts,
            events: removed_events,
        })
    }

    async fn routing_endpoints(conn: &mut DB::Connection) -> SqlResult<Vec<RoutingRow>> {
        sqlx::query_as(ENDPOINT_ROUTING).fetch_all(&mut *conn).await
    }

    async fn routing_version(conn: &mut DB::Connection) -> SqlResult<Option<i64>> {
        sqlx::query_scalar(ENDPOINT_ROUTING_VERSION)
            .fetch_optional(&mut *conn)
            .await
    }

    async fn insert_events(
        conn: &mut DB::Connection,
        events: &[&Event],
    ) -> SqlResult<HashSet<String>> {
        let statements: Vec<Statement> = events
            .chunks(ROWS_PER_STATEMENT)
            .map(dynamic::insert_events)
            .collect();
        let capacity = events.len();
        let mut inserted = HashSet::with_capacity(capacity);
        for statement in statements {
            let ids: Vec<String> = DB::fetch_column(conn, statement).await?;
            inserted.extend(ids);
        }
        Ok(inserted)
    }

    async fn existing_dispatch(
        conn: &mut DB::Connection,
        key: &str,
    ) -> SqlResult<Option<(String, Vec<String>)>> {
        let event_id: Option<String> = sqlx::query_scalar(EVENT_BY_IDEMPOTENCY_KEY)
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?;
        let Some(event_id) = event_id else {
            return Ok(None);
        };
        let delivery_ids: Vec<String> = sqlx::query_scalar(DELIVERY_IDS_OF_DISPATCH)
            .bind(&event_id)
            .fetch_all(&mut *conn)
            .await?;
        Ok(Some((event_id, delivery_ids)))
    }

    async fn insert_deliveries(
        conn: &mut DB::Connection,
        deliveries: &[NewDelivery<'_>],
    ) -> SqlResult<()> {
        let statements: Vec<Statement> = deliveries
            .chunks(ROWS_PER_STATEMENT)
            .map(dynamic::insert_deliveries)
            .collect();
        for statement in statements {
            DB::execute(conn, statement).await?;
        }
        Ok(())
    }

    async fn record_attempts(
        conn: &mut DB::Connection,
        results: &[&AttemptResult],
        now: i64,
    ) -> SqlResult<HashSet<String>> {
        let statements: Vec<(Statement, Statement)> = results
            .chunks(ROWS_PER_STATEMENT)
            .map(|chunk| {
                (
                    dynamic::insert_attempts(chunk),
                    dynamic::move_deliveries(chunk, now),
                )
            })
            .collect();
        let capacity = results.len();
        let mut moved = HashSet::with_capacity(capacity);
        for (insert, update) in statements {
            DB::execute(conn, insert).await?;
            let ids: Vec<String> = DB::fetch_column(conn, update).await?;
            moved.extend(ids);
        }
        Ok(moved)
    }

    async fn unfinished_ordering_keys(
        conn: &mut DB::Connection,
        keys: &[&str],
    ) -> SqlResult<Vec<(String, String)>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        DB::fetch_rows(conn, dynamic::unfinished_ordering_keys(keys)).await
    }

    async fn reset_failures(conn: &mut DB::Connection, endpoint_ids: &[&str]) -> SqlResult<()> {
        let statement = dynamic::reset_failures(endpoint_ids);
        DB::execute(conn, statement).await?;
        Ok(())
    }

    async fn count_failure(conn: &mut DB::Connection, endpoint_id: &str) -> SqlResult<Option<i64>> {
        sqlx::query_scalar(ENDPOINT_COUNT_FAILURE)
            .bind(endpoint_id)
            .fetch_optional(&mut *conn)
            .await
    }

    async fn auto_disable(
        conn: &mut DB::Connection,
        endpoint_id: &str,
        reason: &str,
        now: i64,
    ) -> SqlResult<bool> {
        let disabled = sqlx::query(ENDPOINT_AUTO_DISABLE)
            .bind(reason)
            .bind(now)
            .bind(endpoint_id)
            .execute(&mut *conn)
            .await?;
        Ok(disabled.rows_affected() == 1)
    }

    async fn write_probe(conn: &mut DB::Connection, ballast: &[u8], now: i64) -> SqlResult<()> {
        sqlx::query(PROBE_WRITE)
            .bind(now)
            .bind(ballast)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    async fn release_delivery(
        conn: &mut DB::Connection,
        id: &str,
        lease_token: &str,
        at: i64,
    ) -> SqlResult<()> {
        sqlx::query(LEASE_RELEASE_ONE)
            .bind(at)
            .bind(id)
            .bind(lease_token)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    async fn reclaim_expired_leases(conn: &mut DB::Connection, now: i64) -> SqlResult<u64> {
        Ok(sqlx::query(LEASE_RECLAIM_EXPIRED)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected())
    }

    async fn release_leases(conn: &mut DB::Connection, owner: &str, now: i64) -> SqlResult<u64> {
        Ok(sqlx::query(LEASE_RELEASE_OWNER)
            .bind(now)
            .bind(owner)
            .execute(&mut *conn)
            .await?
            .rows_affected())
    }

    async fn upsert_config_endpoint(
        conn: &mut DB::Connection,
        spec: &EndpointSpec,
        now: i64,
    ) -> SqlResult<()> {
        sqlx::query(ENDPOINT_UPSERT_CONFIG)
            .bind(spec.id.as_str())
            .bind(spec.url.as_str())
            .bind(spec.patterns_json())
            .bind(spec.secret.as_ref().map(|s| s.expose_secret().to_owned()))
            .bind(spec.active)
            .bind(now)
            .bind(spec.max_concurrent.map(i64::from))
            .bind(spec.signature_scheme.as_str())
            .bind(spec.headers.to_json())
            .bind(spec.retry_schedule.as_ref().map(RetrySchedule::to_json))
            .bind(spec.filter.as_ref().map(PayloadFilter::to_json))
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    async fn config_endpoint_ids(conn: &mut DB::Connection) -> SqlResult<Vec<String>> {
        sqlx::query_scalar(ENDPOINT_CONFIG_IDS)
            .fetch_all(&mut *conn)
            .await
    }

    async fn get_endpoint(conn: &mut DB::Connection, id: &str) -> SqlResult<Option<EndpointRow>> {
        let statement = format!("{ENDPOINT_SELECT}{ENDPOINT_GET}");
        sqlx::query_as(&statement)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
    }

    async fn endpoint_state(
        conn: &mut DB::Connection,
        id: &str,
    ) -> SqlResult<Option<(bool, Option<i64>)>> {
        sqlx::query_as(ENDPOINT_STATE)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
    }

    async fn list_endpoints(
        conn: &mut DB::Connection,
        after: Option<&str>,
        limit: usize,
    ) -> SqlResult<Vec<EndpointRow>> {
        let statement = format!("{ENDPOINT_SELECT}{ENDPOINT_LIST}");
        sqlx::query_as(&statement)
            .bind(after.unwrap_or(""))
            .bind(as_i64(limit))
            .fetch_all(&mut *conn)
            .await
    }

    async fn create_endpoint(
        conn: &mut DB::Connection,
        spec: &EndpointSpec,
        now: i64,
    ) -> SqlResult<bool> {
        let created = sqlx::query(ENDPOINT_CREATE)
            .bind(spec.id.as_str())
            .bind(spec.url.as_str())
            .bind(spec.patterns_json())
            .bind(spec.secret.as_ref().map(|s| s.expose_secret().to_owned()))
            .bind(spec.active)
            .bind(now)
            .bind(spec.signature_scheme.as_str())
            .bind(spec.max_concurrent.map(i64::from))
            .bind(spec.headers.to_json())
            .bind(spec.retry_schedule.as_ref().map(RetrySchedule::to_json))
            .bind(spec.filter.as_ref().map(PayloadFilter::to_json))
            .execute(&mut *conn)
            .await?;
        Ok(created.rows_affected() > 0)
    }

    async fn update_endpoint(
        conn: &mut DB::Connection,
        id: &str,
        changes: &EndpointChanges,
        now: i64,
    ) -> SqlResult<bool> {
        let url = changes.url.as_ref().map(|url| url.as_str().to_owned());
        let patterns = changes
            .event_patterns
            .as_deref()
            .map(crate::domain::patterns_json);
        let headers = changes.headers.as_ref().map(|headers| headers.to_json());
        let updated = sqlx::query(ENDPOINT_UPDATE)
            .bind(url)
            .bind(patterns)
            .bind(now)
            .bind(id)
            .bind(headers)
            .bind(changes.retry_schedule.is_some())
            .bind(
                changes
                    .retry_schedule
                    .as_ref()
                    .and_then(|schedule| schedule.as_ref().map(RetrySchedule::to_json)),
            )
            .bind(changes.filter.is_some())
            .bind(
                changes
                    .filter
                    .as_ref()
                    .and_then(|filter| filter.as_ref().map(PayloadFilter::to_json)),
            )
            .execute(&mut *conn)
            .await?;
        Ok(updated.rows_affected() > 0)
    }

    async fn delete_endpoint(conn: &mut DB::Connection, id: &str, now: i64) -> SqlResult<bool> {
        let deleted = sqlx::query(ENDPOINT_DELETE)
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        Ok(deleted.rows_affected() > 0)
    }

    async fn cancel_deliveries_of(
        conn: &mut DB::Connection,
        endpoint_id: &str,
        now: i64,
    ) -> SqlResult<u64> {
        Ok(sqlx::query(DELIVERY_CANCEL_FOR_ENDPOINT)
            .bind(now)
            .bind(endpoint_id)
            .execute(&mut *conn)
            .await?
            .rows_affected())
    }

    async fn enable_endpoint(conn: &mut DB::Connection, id: &str, now: i64) -> SqlResult<bool> {
        let updated = sqlx::query(ENDPOINT_ENABLE)
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        Ok(updated.rows_affected() > 0)
    }

    async fn disable_endpoint(
        conn: &mut DB::Connection,
        id: &str,
        reason: &str,
        now: i64,
    ) -> SqlResult<bool> {
        let updated = sqlx::query(ENDPOINT_DISABLE)
            .bind(reason)
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        Ok(updated.rows_affected() > 0)
    }

    async fn rotate_endpoint_secret(
        conn: &mut DB::Connection,
        id: &str,
        new_secret: &str,
        replaced_default: &str,
        grace_until: i64,
        now: i64,
    ) -> SqlResult<bool> {
        let updated = sqlx::query(ENDPOINT_ROTATE_SECRET)
            .bind(replaced_default)
            .bind(grace_until)
            .bind(new_secret)
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        Ok(updated.rows_affected() > 0)
    }

    async fn endpoint_secret(
        conn: &mut DB::Connection,
        id: &str,
    ) -> SqlResult<Option<Option<String>>> {
        sqlx::query_scalar(ENDPOINT_SECRET)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
    }

    async fn stored_secrets(conn: &mut DB::Connection) -> SqlResult<Vec<StoredSecretsRow>> {
        sqlx::query_as(ENDPOINT_STORED_SECRETS)
            .fetch_all(&mut *conn)
            .await
    }

    async fn reseal_secrets(
        conn: &mut DB::Connection,
        id: &str,
        secret: Option<&str>,
        previous_secret: Option<&str>,
    ) -> SqlResult<()> {
        sqlx::query(ENDPOINT_RESEAL_SECRETS)
            .bind(id)
            .bind(secret)
            .bind(previous_secret)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    async fn create_api_key(conn: &mut DB::Connection, key: &ApiKeyRow) -> SqlResult<bool> {
        let inserted = sqlx::query(API_KEY_CREATE)
            .bind(key.name.as_str())
            .bind(key.key_sha256.as_str())
            .bind(key.role.as_str())
            .bind(key.created_at)
            .execute(&mut *conn)
            .await?;
        Ok(inserted.rows_affected() > 0)
    }

    async fn list_api_keys(conn: &mut DB::Connection) -> SqlResult<Vec<ApiKeyRow>> {
        sqlx::query_as(API_KEY_LIST).fetch_all(&mut *conn).await
    }

    async fn get_api_key(conn: &mut DB::Connection, name: &str) -> SqlResult<Option<ApiKeyRow>> {
        sqlx::query_as(API_KEY_GET)
            .bind(name)
            .fetch_optional(&mut *conn)
            .await
    }

    async fn revoke_api_key(conn: &mut DB::Connection, name: &str, now: i64) -> SqlResult<()> {
        sqlx::query(API_KEY_REVOKE)
            .bind(now)
            .bind(name)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    async fn attempt_stats(
        conn: &mut DB::Connection,
        since: i64,
        bucket_ms: i64,
        endpoint_id: Option<&str>,
    ) -> SqlResult<Vec<AttemptStat>> {
        sqlx::query_as(STATS_ATTEMPTS)
            .bind(since)
            .bind(bucket_ms.max(1))
            .bind(endpoint_id)
            .fetch_all(&mut *conn)
            .await
    }

    async fn dead_lettered_since(
        conn: &mut DB::Connection,
        since: i64,
        endpoint_id: Option<&str>,
    ) -> SqlResult<u64> {
        let count: i64 = sqlx::query_scalar(STATS_DEAD_LETTERED)
            .bind(since)
            .bind(endpoint_id)
            .fetch_one(&mut *conn)
            .await?;
        Ok(as_u64(count))
    }

    async fn pending_by_endpoint(conn: &mut DB::Connection) -> SqlResult<Vec<PendingStat>> {
        sqlx::query_as(STATS_PENDING).fetch_all(&mut *conn).await
    }

    async fn attempt_history(
        conn: &mut DB::Connection,
        since: i64,
        limit: usize,
    ) -> SqlResult<Vec<AttemptHistory>> {
        sqlx::query_as(ATTEMPT_HISTORY)
            .bind(since)
            .bind(as_i64(limit))
            .fetch_all(&mut *conn)
            .await
    }

    async fn recent_attempts(
        conn: &mut DB::Connection,
        failed_only: bool,
        limit: usize,
    ) -> SqlResult<Vec<RecentAttempt>> {
        sqlx::query_as(ATTEMPT_RECENT)
            .bind(failed_only)
            .bind(as_i64(limit))
            .fetch_all(&mut *conn)
            .await
    }

    fn query_of<'q>(statement: Statement) -> SqlResult<(String, DB::Arguments<'q>)> {
        statement
            .into_query(|arguments: &mut DB::Arguments<'q>, value| match value {
                Value::Int(value) => arguments.add(value),
                Value::Text(value) => arguments.add(value),
                Value::Bytes(value) => arguments.add(value),
                Value::Bool(value) => arguments.add(value),
            })
            .map_err(sqlx::Error::Encode)
    }

    async fn execute(conn: &mut DB::Connection, statement: Statement) -> SqlResult<u64> {
        let (sql, arguments) = DB::query_of(statement)?;
        Ok(sqlx::query_with(&sql, arguments)
            .execute(&mut *conn)
            .await?
            .rows_affected())
    }

    async fn fetch_rows<T>(conn: &mut DB::Connection, statement: Statement) -> SqlResult<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, DB::Row> + Send + Unpin,
    {
        let (sql, arguments) = DB::query_of(statement)?;
        sqlx::query_as_with(&sql, arguments)
            .fetch_all(&mut *conn)
            .await
    }

    async fn fetch_column<T>(conn: &mut DB::Connection, statement: Statement) -> SqlResult<Vec<T>>
    where
        (T,): for<'r> sqlx::FromRow<'r, DB::Row>,
        T: Send + Unpin,
    {
        let (sql, arguments) = DB::query_of(statement)?;
        sqlx::query_scalar_with(&sql, arguments)
            .fetch_all(&mut *conn)
            .await
    }
}
