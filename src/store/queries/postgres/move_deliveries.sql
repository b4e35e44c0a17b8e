-- The moves as one array per column ($1…$6), as in insert_events.sql;
-- delivery_move.sql follows, with the update time as $7.
WITH moves (id, lease_token, state, attempt_count, retry_at, last_error) AS (
    SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[])
)
