-- One array per column ($1…$8), so that a write batch of any size runs the
-- same prepared statement and plan.
INSERT INTO events (id, event_type, payload, idempotency_key, created_at, ordering_key, traceparent, tracestate)
SELECT * FROM UNNEST($1::text[], $2::text[], $3::bytea[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[])
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id
