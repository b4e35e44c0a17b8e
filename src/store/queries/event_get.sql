-- One event by id.
SELECT id, event_type, payload, idempotency_key, created_at, ordering_key, traceparent, tracestate FROM events WHERE id = $1
