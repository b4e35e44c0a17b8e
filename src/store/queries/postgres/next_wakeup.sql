-- The earliest due time of a pending delivery of an active endpoint not in
-- $1 (a text array), or the earliest lease expiry, whichever comes first.
-- Endpoint by endpoint, over those with a pending delivery as in
-- claim.sql, so a paused backlog is never scanned and endpoints with
-- nothing queued are not visited.
WITH RECURSIVE queued (endpoint_id) AS (
    SELECT (SELECT MIN(endpoint_id) FROM deliveries WHERE state = 'pending')
    UNION ALL
    SELECT (SELECT MIN(d.endpoint_id) FROM deliveries d
            WHERE d.state = 'pending' AND d.endpoint_id > queued.endpoint_id)
    FROM queued WHERE queued.endpoint_id IS NOT NULL
)
SELECT LEAST(
    (SELECT MIN(h.head) FROM queued
     CROSS JOIN LATERAL (SELECT e.id, e.active FROM endpoints e
                         WHERE e.id = queued.endpoint_id LIMIT 1) ep
     CROSS JOIN LATERAL (SELECT MIN(d.next_attempt_at) AS head FROM deliveries d
                         WHERE d.endpoint_id = ep.id AND d.state = 'pending') h
     WHERE ep.active AND NOT (ep.id = ANY($1))),
    (SELECT MIN(leased_until) FROM deliveries WHERE state = 'in_flight'))
