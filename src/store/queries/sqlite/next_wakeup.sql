-- The earliest due time of a pending delivery of an active endpoint not in
-- $1 (a JSON array), or the earliest lease expiry, whichever comes first.
-- Endpoint by endpoint, over those with a pending delivery (`queued`,
-- queued_endpoints.sql, prepended), so a paused backlog is never scanned
-- and endpoints with nothing queued are not visited.
SELECT MIN(at) FROM (
    SELECT (SELECT MIN(h.next_attempt_at) FROM deliveries h
            WHERE h.endpoint_id = ep.id AND h.state = 'pending') AS at
    FROM queued CROSS JOIN endpoints ep ON ep.id = queued.endpoint_id
    WHERE ep.active AND ep.id NOT IN (SELECT value FROM json_each(?1))
    UNION ALL
    SELECT MIN(leased_until) AS at FROM deliveries WHERE state = 'in_flight'
)
