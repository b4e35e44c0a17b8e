-- Leases up to $5 due deliveries to $1 (token $2, until $3, now $4): each
-- endpoint's earliest, as many as it has room for. $6: endpoints to skip
-- (a JSON array); $7: room per endpoint this process knows (a JSON
-- object); $8: the default per-endpoint limit; $9: rows scanned; $10: how
-- many times its limit an endpoint may lease ahead. Returns the leased ids.
UPDATE deliveries
SET state = 'in_flight', lease_owner = ?1, lease_token = ?2, leased_until = ?3, updated_at = ?4
WHERE id IN (
    SELECT id FROM (
        -- Each endpoint's earliest deliveries, as many as it has room for.
        SELECT c.id, c.next_attempt_at,
               ROW_NUMBER() OVER (PARTITION BY c.endpoint_id ORDER BY c.next_attempt_at) AS rank,
               COALESCE(f.value, c.cap * ?10) AS room
        FROM (
            -- Deliveries of disabled endpoints are paused: not claimed.
            SELECT d.id, d.endpoint_id, d.next_attempt_at, COALESCE(ep.max_concurrent, ?8) AS cap
            FROM deliveries d JOIN endpoints ep ON ep.id = d.endpoint_id
            WHERE d.state = 'pending' AND d.next_attempt_at <= ?4 AND ep.active
              AND d.endpoint_id NOT IN (SELECT value FROM json_each(?6))
            ORDER BY d.next_attempt_at
            LIMIT ?9
        ) c
        LEFT JOIN json_each(?7) f ON f.key = c.endpoint_id
    )
    WHERE rank <= room
    ORDER BY next_attempt_at
    LIMIT ?5
)
RETURNING id
