//! The statements whose text depends on the request: filters, id lists,
//! multi-row inserts. Each starts from a statement of `queries/` and
//! appends conditions or rows.

use super::queries::*;
use super::statement::Statement;
use super::{NewDelivery, NewReplay, like_prefix};
use crate::domain::{Event, EventPattern, HELD_FOR_ORDERING, TraceContext};
use crate::store::model::{AttemptResult, DeliveryQuery, EventQuery, RedriveSelection};

fn as_i64(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

pub(super) fn list_events(query: &EventQuery, after: Option<&str>, limit: usize) -> Statement {
    let mut statement = Statement::new(EVENT_LIST);
    if let Some(after) = after {
        statement.push(" AND e.id > ").bind(after);
    }
    push_created_between(&mut statement, query.start, query.end);
    if let Some(endpoint) = &query.endpoint_id {
        statement
            .push(" AND EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.endpoint_id = ")
            .bind(endpoint.as_str())
            .push(")");
    }
    push_event_type_filter(&mut statement, &query.event_types);
    statement.push(" ORDER BY e.id LIMIT ").bind(as_i64(limit));
    statement
}

pub(super) fn deliveries_for_event(event_id: &str) -> Statement {
    let mut statement = Statement::new(DELIVERY_SELECT);
    statement
        .push(" AND d.event_id = ")
        .bind(event_id)
        .push(" ORDER BY d.id");
    statement
}

pub(super) fn list_deliveries(
    query: &DeliveryQuery,
    after: Option<&str>,
    limit: usize,
) -> Statement {
    let mut statement = Statement::new(DELIVERY_SELECT);
    if let Some(after) = after {
        statement.push(" AND d.id > ").bind(after);
    }
    push_delivery_filter(&mut statement, query);
    statement.push(" ORDER BY d.id LIMIT ").bind(as_i64(limit));
    statement
}

pub(super) fn count_replayable(query: &DeliveryQuery) -> Statement {
    let mut statement = Statement::new(DELIVERY_COUNT_REPLAYABLE);
    push_delivery_filter(&mut statement, query);
    statement
}

pub(super) fn replay_page(
    query: &DeliveryQuery,
    after: &str,
    ceiling: &str,
    limit: usize,
) -> Statement {
    let mut statement = Statement::new(DELIVERY_REPLAY_PAGE);
    statement
        .push(" AND d.id > ")
        .bind(after)
        .push(" AND d.id <= ")
        .bind(ceiling);
    push_delivery_filter(&mut statement, query);
    statement.push(" ORDER BY d.id LIMIT ").bind(as_i64(limit));
    statement
}

pub(super) fn insert_replays(replays: &[NewReplay], now: i64) -> Statement {
    let mut statement = Statement::new(DELIVERY_INSERT_REPLAY);
    statement.push_values(replays, |row, replay| {
        row.bind(replay.id.as_str())
            .bind(replay.event_id.as_str())
            .bind(replay.endpoint_id.as_str())
            .push("'pending'")
            .bind(replay.due)
            .bind(replay.replay_of.as_deref())
            .bind(now)
            .bind(now);
    });
    statement
}

pub(super) fn redrive(selection: &RedriveSelection, now: i64) -> Statement {
    let mut statement = Statement::new(DELIVERY_REDRIVE);
    statement
        .push(", next_attempt_at = ")
        .bind(now)
        .push(", updated_at = ")
        .bind(now)
        .push(" WHERE state = 'dead' AND id IN ");
    push_redrive_selection(&mut statement, selection);
    statement
}

pub(super) fn count_redrivable(selection: &RedriveSelection) -> Statement {
    let mut statement = Statement::new(DELIVERY_COUNT_DEAD_IN);
    statement.push(" ");
    push_redrive_selection(&mut statement, selection);
    statement
}

/// Inserts the events, skipping those whose idempotency key is taken, and
/// returns the ids inserted.
pub(super) fn insert_events(events: &[&Event]) -> Statement {
    let mut statement = Statement::new(EVENT_INSERT);
    statement.push_values(events, |row, event| {
        row.bind(event.id.as_str())
            .bind(event.event_type.as_str())
            .bind(event.payload.as_bytes())
            .bind(event.idempotency_key.as_deref())
            .bind(event.created_at)
            .bind(event.ordering_key.as_deref())
            .bind(event.trace.as_ref().map(TraceContext::traceparent))
            .bind(
                event
                    .trace
                    .as_ref()
                    .and_then(|trace| trace.tracestate.as_deref()),
            );
    });
    statement.push(" ON CONFLICT (idempotency_key) DO NOTHING RETURNING id");
    statement
}

pub(super) fn insert_deliveries(deliveries: &[NewDelivery<'_>]) -> Statement {
    let mut statement = Statement::new(DELIVERY_INSERT);
    statement.push_values(deliveries, |row, delivery| {
        let created_at = delivery.event.created_at;
        let due_at = match delivery.held {
            true => HELD_FOR_ORDERING,
            false => created_at,
        };
        row.bind(delivery.id.as_str())
            .bind(delivery.event.id.as_str())
            .bind(delivery.endpoint_id)
            .push(match delivery.lease {
                Some(_) => "'in_flight'",
                None => "'pending'",
            })
            .bind(due_at)
            .bind(created_at)
            .bind(created_at)
            .bind(delivery.event.ordering_key.as_deref())
            .bind(delivery.lease.map(|lease| lease.owner.as_str()))
            .bind(delivery.lease.map(|lease| lease.token.as_str()))
            .bind(delivery.lease.map(|lease| lease.until));
    });
    statement
}

/// Appends the attempts: they happened, whether or not the lease held.
pub(super) fn insert_attempts(results: &[&AttemptResult]) -> Statement {
    let mut statement = Statement::new(ATTEMPT_INSERT);
    statement.push_values(results, |row, result| {
        let attempt = &result.attempt;
        row.bind(attempt.delivery_id.as_str())
            .bind(i64::from(attempt.attempt_number))
            .bind(attempt.started_at)
            .bind(attempt.duration_ms)
            .bind(attempt.http_status.map(i64::from))
            .bind(attempt.error_kind.map(|kind| kind.as_str()))
            .bind(attempt.error_message.as_deref())
            .bind(attempt.response_excerpt.as_deref())
            .bind(attempt.instance_id.as_deref());
    });
    statement
}

/// Moves each delivery whose lease token still holds, in one statement;
/// returns the ids that moved.
pub(super) fn move_deliveries(results: &[&AttemptResult], now: i64) -> Statement {
    let mut statement = Statement::new(
        "WITH moves (id, lease_token, state, attempt_count, retry_at, last_error) AS (VALUES ",
    );
    statement.push_tuples(results, |row, result| {
        row.bind(result.attempt.delivery_id.as_str())
            .bind(result.lease_token.as_str())
            .bind(result.transition.state().as_str())
            .bind(i64::from(result.attempt.attempt_number))
            .bind(result.transition.retry_at())
            .bind(result.attempt.error_message.as_deref());
    });
    statement
        .push(") ")
        .push(DELIVERY_MOVE.trim_end())
        .push(" ")
        .bind(now)
        .push(" ")
        .push(DELIVERY_MOVE_RETURNING.trim_end());
    statement
}

pub(super) fn unfinished_ordering_keys(keys: &[&str]) -> Statement {
    let mut statement = Statement::new(DELIVERY_UNFINISHED_KEYS);
    statement.push(" ");
    statement.push_tuples([keys], |row, keys| {
        for key in keys {
            row.bind(*key);
        }
    });
    statement
}

pub(super) fn reset_failures(endpoint_ids: &[&str]) -> Statement {
    let mut statement = Statement::new(ENDPOINT_RESET_FAILURES);
    statement.push(" ");
    statement.push_tuples([endpoint_ids], |row, ids| {
        for id in ids {
            row.bind(*id);
        }
    });
    statement
}

/// Appends ` AND …` conditions on `d` (deliveries) and `e` (events).
fn push_delivery_filter(statement: &mut Statement, query: &DeliveryQuery) {
    push_created_between(statement, query.start, query.end);
    if let Some(endpoint) = &query.endpoint_id {
        statement
            .push(" AND d.endpoint_id = ")
            .bind(endpoint.as_str());
    }
    if !query.states.is_empty() {
        statement.push(" AND d.state IN ");
        statement.push_tuples([&query.states], |row, states| {
            for state in states {
                row.bind(state.as_str());
            }
        });
    }
    push_event_type_filter(statement, &query.event_types);
}

/// Appends conditions on when `e` (the event) was created: at or after
/// `start`, before `end`.
fn push_created_between(statement: &mut Statement, start: Option<i64>, end: Option<i64>) {
    if let Some(start) = start {
        statement.push(" AND e.created_at >= ").bind(start);
    }
    if let Some(end) = end {
        statement.push(" AND e.created_at < ").bind(end);
    }
}

/// Appends `(…)`: the ids of the selected dead letters.
fn push_redrive_selection(statement: &mut Statement, selection: &RedriveSelection) {
    match selection {
        RedriveSelection::Ids(ids) if ids.is_empty() => {
            statement.push("(NULL)");
        }
        RedriveSelection::Ids(ids) => {
            statement.push_tuples([ids], |row, ids| {
                for id in ids {
                    row.bind(id.as_str());
                }
            });
        }
        RedriveSelection::Matching(query) => {
            statement.push("(").push(DELIVERY_DEAD_MATCHING.trim_end());
            push_delivery_filter(statement, query);
            statement.push(")");
        }
    }
}

/// Appends ` AND (…)` matching `e.event_type` against the patterns.
fn push_event_type_filter(statement: &mut Statement, patterns: &[EventPattern]) {
    if patterns.is_empty() || patterns.contains(&EventPattern::All) {
        return;
    }
    statement.push(" AND (");
    for (index, pattern) in patterns.iter().enumerate() {
        if index > 0 {
            statement.push(" OR ");
        }
        match pattern {
            EventPattern::Exact(exact) => {
                statement.push("e.event_type = ").bind(exact.as_str());
            }
            EventPattern::Prefix(prefix) => {
                statement
                    .push("e.event_type LIKE ")
                    .bind(like_prefix(prefix))
                    .push(" ESCAPE '\\'");
            }
            EventPattern::All => unreachable!("handled above"),
        }
    }
    statement.push(")");
}
