-- The earliest due time of a pending delivery of an active endpoint not in
-- $1 (a text array), or the earliest lease expiry, whichever comes first.
-- Endpoint by endpoint, over those with a pending delivery (`queued`,
-- queued_endpoints.sql, prepended), so a paused backlog is never scanned
-- and endpoints with nothing queued are not visited.
SELECT LEAST(
    (SELECT MIN(h.head) FROM queued
     CROSS JOIN LATERAL (SELECT e.id, e.active FROM endpoints e
                         WHERE e.id = queued.endpoint_id LIMIT 1) ep
     CROSS JOIN LATERAL (SELECT MIN(d.next_attempt_at) AS head FROM deliveries d
                         WHERE d.endpoint_id = ep.id AND d.state = 'pending') h
     WHERE ep.active AND NOT (ep.id = ANY($1))),
    (SELECT MIN(leased_until) FROM deliveries WHERE state = 'in_flight'))
