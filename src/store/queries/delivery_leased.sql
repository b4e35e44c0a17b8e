-- The deliveries leased to $1 with token $2 until $3, joined with their
-- event and endpoint: what a claim just leased (SQLite; run in the same
-- call as the claim). Only that one lease ends at $3 with token $2, and
-- the leases index finds them.
SELECT d.id, d.event_id, d.endpoint_id, d.attempt_count, d.cycle_start,
       e.event_type, e.payload, ep.url, ep.secret, ep.previous_secret, ep.previous_secret_expires_at,
       ep.max_concurrent, ep.signature_scheme, ep.headers,
       ep.retry_policy, d.ordering_key, e.traceparent, e.tracestate
FROM deliveries d
JOIN events e ON e.id = d.event_id
JOIN endpoints ep ON ep.id = d.endpoint_id
WHERE d.state = 'in_flight' AND d.leased_until = $3 AND d.lease_token = $2 AND d.lease_owner = $1
ORDER BY d.next_attempt_at
