-- The earliest due time of a pending delivery of an active endpoint not in
-- $1 (a JSON array), or the earliest lease expiry, whichever comes first.
-- Endpoint by endpoint, over those with a pending delivery as in
-- claim.sql, so a paused backlog is never scanned and endpoints with
-- nothing queued are not visited.
WITH RECURSIVE queued (endpoint_id) AS (
    SELECT (SELECT endpoint_id FROM deliveries INDEXED BY deliveries_pending
            WHERE state = 'pending' ORDER BY endpoint_id LIMIT 1)
    UNION ALL
    SELECT (SELECT q.endpoint_id FROM deliveries q INDEXED BY deliveries_pending
            WHERE q.state = 'pending' AND q.endpoint_id > queued.endpoint_id
            ORDER BY q.endpoint_id LIMIT 1)
    FROM queued WHERE queued.endpoint_id IS NOT NULL
)
SELECT MIN(at) FROM (
    SELECT (SELECT MIN(h.next_attempt_at) FROM deliveries h
            WHERE h.endpoint_id = ep.id AND h.state = 'pending') AS at
    FROM queued CROSS JOIN endpoints ep ON ep.id = queued.endpoint_id
    WHERE ep.active AND ep.id NOT IN (SELECT value FROM json_each(?1))
    UNION ALL
    SELECT MIN(leased_until) AS at FROM deliveries WHERE state = 'in_flight'
)
