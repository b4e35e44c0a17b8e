-- Followed by the VALUES rows and the conflict clause.
INSERT INTO events (id, event_type, payload, idempotency_key, created_at, ordering_key, traceparent, tracestate)
