-- The earliest due time of a pending delivery of an active endpoint not in
-- $1 (a text array), or the earliest lease expiry, whichever comes first.
SELECT LEAST(
    (SELECT MIN(d.next_attempt_at) FROM deliveries d JOIN endpoints ep ON ep.id = d.endpoint_id
     WHERE d.state = 'pending' AND ep.active AND NOT (d.endpoint_id = ANY($1))),
    (SELECT MIN(leased_until) FROM deliveries WHERE state = 'in_flight'))
