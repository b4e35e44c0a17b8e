-- The earliest due time of a pending delivery of an active endpoint not in
-- $1 (a JSON array), or the earliest lease expiry, whichever comes first.
SELECT MIN(at) FROM (
    SELECT MIN(d.next_attempt_at) AS at FROM deliveries d
    JOIN endpoints ep ON ep.id = d.endpoint_id WHERE d.state = 'pending' AND ep.active
      AND d.endpoint_id NOT IN (SELECT value FROM json_each(?1))
    UNION ALL
    SELECT MIN(leased_until) AS at FROM deliveries WHERE state = 'in_flight'
)
