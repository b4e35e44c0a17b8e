-- Leases up to $5 due deliveries to $1 (token $2, until $3, now $4): each
-- endpoint's earliest, as many as it has room for. $6: endpoints to skip
-- (a JSON array); $7: room per endpoint this process knows (a JSON
-- object); $8: the default per-endpoint limit; $9: most rows read per
-- endpoint; $10: how many times its limit an endpoint may lease ahead.
-- Returns nothing: delivery_leased.sql, run right after it in the same
-- call, reads the leased deliveries back.
--
-- It starts from the endpoints, not from the deliveries: only the $5
-- endpoints whose earliest due delivery comes first can hold the $5
-- earliest deliveries, and the backlog of an endpoint that is disabled or
-- skipped is never read, however large it is. The endpoints are those
-- with a pending delivery (`queued`, queued_endpoints.sql, prepended).
UPDATE deliveries
SET state = 'in_flight', lease_owner = ?1, lease_token = ?2, leased_until = ?3, updated_at = ?4
WHERE id IN (
    SELECT id FROM (
        SELECT d.id, d.next_attempt_at,
               ROW_NUMBER() OVER (PARTITION BY d.endpoint_id ORDER BY d.next_attempt_at) AS rank,
               COALESCE(f.value, e.cap * ?10) AS room
        FROM (
            SELECT id, cap FROM (
                SELECT ep.id, COALESCE(ep.max_concurrent, ?8) AS cap,
                       (SELECT MIN(h.next_attempt_at) FROM deliveries h
                        WHERE h.endpoint_id = ep.id AND h.state = 'pending') AS head
                -- CROSS JOIN: SQLite keeps the left side the outer loop, so the
                -- walk drives the lookups whatever the planner estimates.
                FROM queued CROSS JOIN endpoints ep ON ep.id = queued.endpoint_id
                -- Deliveries of disabled endpoints are paused: not claimed.
                WHERE ep.active AND ep.id NOT IN (SELECT value FROM json_each(?6))
            )
            WHERE head <= ?4
            ORDER BY head
            LIMIT ?5
        ) e
        JOIN deliveries d ON d.id IN (
            SELECT q.id FROM deliveries q
            WHERE q.endpoint_id = e.id AND q.state = 'pending' AND q.next_attempt_at <= ?4
            ORDER BY q.next_attempt_at
            LIMIT ?9
        )
        LEFT JOIN json_each(?7) f ON f.key = e.id
    )
    WHERE rank <= room
    ORDER BY next_attempt_at
    LIMIT ?5
)
