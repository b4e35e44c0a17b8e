-- One array per column ($1…$9), as in insert_events.sql. Attempts are
-- appended whether or not the lease still holds: they happened.
INSERT INTO attempts (delivery_id, attempt_number, started_at, duration_ms, http_status,
                      error_kind, error_message, response_excerpt, instance_id)
SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[],
                     $6::text[], $7::text[], $8::text[], $9::text[])
