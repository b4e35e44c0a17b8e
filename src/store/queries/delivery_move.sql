-- The caller writes `WITH moves (…) AS (VALUES …)` before this
-- (PostgreSQL: postgres/move_deliveries.sql, one array per column) and
-- binds the update time as the last parameter. The lease token fences each row:
-- a result whose lease was lost moves nothing.
UPDATE deliveries
SET state = moves.state, attempt_count = moves.attempt_count,
    next_attempt_at = COALESCE(moves.retry_at, deliveries.next_attempt_at),
    last_error = moves.last_error, lease_owner = NULL, lease_token = NULL,
    leased_until = NULL, updated_at =
