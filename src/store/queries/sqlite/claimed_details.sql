-- The deliveries just claimed (ids as a JSON array in $1), joined with
-- their event and endpoint.
SELECT d.id, d.event_id, d.endpoint_id, d.attempt_count, d.cycle_start,
       e.event_type, e.payload, ep.url, ep.secret, ep.previous_secret, ep.previous_secret_expires_at,
       ep.max_concurrent, ep.signature_scheme, ep.headers,
       ep.retry_policy, d.ordering_key, e.traceparent, e.tracestate
FROM deliveries d
JOIN events e ON e.id = d.event_id
JOIN endpoints ep ON ep.id = d.endpoint_id
WHERE d.id IN (SELECT value FROM json_each($1))
ORDER BY d.next_attempt_at
