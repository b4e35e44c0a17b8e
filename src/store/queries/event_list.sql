-- Events, oldest first; the caller appends its filters, ORDER BY and LIMIT.
SELECT e.id, e.event_type, e.payload, e.idempotency_key, e.created_at, e.ordering_key, e.traceparent, e.tracestate FROM events e WHERE 1 = 1
