-- Up to $3 deliveries of endpoint $1 due by $2, earliest first, joined with
-- their event and endpoint: one endpoint's share of a claim on the writer
-- thread, read in the pending index's own order (no sort). The columns
-- are those of delivery_leased.sql, then `next_attempt_at`, by which the
-- claim merges the endpoints' shares.
SELECT d.id, d.event_id, d.endpoint_id, d.attempt_count, d.cycle_start,
       e.event_type, e.payload, ep.url, ep.secret, ep.previous_secret, ep.previous_secret_expires_at,
       ep.max_concurrent, ep.signature_scheme, ep.headers,
       ep.retry_policy, d.ordering_key, e.traceparent, e.tracestate, d.next_attempt_at
FROM deliveries d INDEXED BY deliveries_pending
JOIN events e ON e.id = d.event_id
JOIN endpoints ep ON ep.id = d.endpoint_id
WHERE d.endpoint_id = ?1 AND d.state = 'pending' AND d.next_attempt_at <= ?2
ORDER BY d.next_attempt_at
LIMIT ?3
