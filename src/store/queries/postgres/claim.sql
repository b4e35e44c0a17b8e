-- One statement: lock due rows no other instance holds, keep each
-- endpoint's earliest as many as it has room for, lease them, and return
-- them joined with their event and endpoint. Parameters as in
-- sqlite/claim.sql; $6 is a text array, $7 a JSON object.
WITH candidates AS (
    -- Deliveries of disabled endpoints are paused: not claimed.
    SELECT d.id, d.endpoint_id, d.next_attempt_at, COALESCE(ep.max_concurrent, $8) AS cap
    FROM deliveries d JOIN endpoints ep ON ep.id = d.endpoint_id
    WHERE d.state = 'pending' AND d.next_attempt_at <= $4 AND ep.active
      AND NOT (d.endpoint_id = ANY($6))
    ORDER BY d.next_attempt_at
    LIMIT $9
    FOR UPDATE OF d SKIP LOCKED
), due AS (
    SELECT id FROM (
        SELECT c.id, c.next_attempt_at,
               ROW_NUMBER() OVER (PARTITION BY c.endpoint_id ORDER BY c.next_attempt_at) AS rank,
               COALESCE(f.value::bigint, c.cap * $10) AS room
        FROM candidates c LEFT JOIN jsonb_each_text($7::jsonb) f ON f.key = c.endpoint_id
    ) ranked
    WHERE rank <= room
    ORDER BY next_attempt_at
    LIMIT $5
), claimed AS (
    UPDATE deliveries d
    SET state = 'in_flight', lease_owner = $1, lease_token = $2, leased_until = $3, updated_at = $4
    FROM due WHERE d.id = due.id
    RETURNING d.id, d.event_id, d.endpoint_id, d.attempt_count, d.cycle_start, d.next_attempt_at
)
SELECT c.id, c.event_id, c.endpoint_id, c.attempt_count, c.cycle_start,
       e.event_type, e.payload, ep.url, ep.secret, ep.previous_secret, ep.previous_secret_expires_at,
       ep.max_concurrent, ep.signature_scheme
FROM claimed c
JOIN events e ON e.id = c.event_id
JOIN endpoints ep ON ep.id = c.endpoint_id
ORDER BY c.next_attempt_at
