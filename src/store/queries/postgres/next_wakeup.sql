-- The earliest due time of a pending delivery of an active endpoint not in
-- $1 (a text array), or the earliest lease expiry, whichever comes first.
-- Endpoint by endpoint, so a paused backlog is never scanned.
SELECT LEAST(
    (SELECT MIN(h.head) FROM endpoints ep
     CROSS JOIN LATERAL (SELECT MIN(d.next_attempt_at) AS head FROM deliveries d
                         WHERE d.endpoint_id = ep.id AND d.state = 'pending') h
     WHERE ep.active AND NOT (ep.id = ANY($1))),
    (SELECT MIN(leased_until) FROM deliveries WHERE state = 'in_flight'))
