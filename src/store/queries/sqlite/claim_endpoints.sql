-- The endpoints a claim leases from: up to $5 enabled endpoints, not in
-- $6 (a JSON array), whose earliest pending delivery is due by $4,
-- earliest first, with how many more each may lease: its room in $7 (a
-- JSON object) if this process knows it, else its limit ($8 by default)
-- times $10. Prepended with queued_endpoints.sql. claim.sql reads them as
-- `picked`; the writer thread's claim reads them alone, then each one's
-- due deliveries (claim_due.sql).
SELECT id, room FROM (
    SELECT ep.id,
           COALESCE(f.value, COALESCE(ep.max_concurrent, ?8) * ?10) AS room,
           (SELECT MIN(h.next_attempt_at) FROM deliveries h
            WHERE h.endpoint_id = ep.id AND h.state = 'pending') AS head
    -- CROSS JOIN: the walk of the queued endpoints stays the outer loop.
    FROM queued CROSS JOIN endpoints ep ON ep.id = queued.endpoint_id
    LEFT JOIN json_each(?7) f ON f.key = ep.id
    WHERE ep.active AND ep.id NOT IN (SELECT value FROM json_each(?6))
)
WHERE head <= ?4 AND room > 0
ORDER BY head
LIMIT ?5
