-- One statement: lock due rows no other instance holds, keep each
-- endpoint's earliest as many as it has room for, lease them, and return
-- them joined with their event and endpoint. Parameters as in
-- sqlite/claim.sql and sqlite/claim_endpoints.sql; $6 is a text array,
-- $7 a JSON object. `queued`:
-- queued_endpoints.sql, prepended.
, heads AS (
    -- Only the $5 endpoints whose earliest due delivery comes first can
    -- hold the $5 earliest deliveries; a paused backlog is never read.
    SELECT ep.id, COALESCE(ep.max_concurrent, $8) AS cap, h.head
    -- Looked up by key for each queued endpoint (the LIMIT keeps the
    -- planner from turning this into a scan of every endpoint).
    FROM queued CROSS JOIN LATERAL (SELECT e.id, e.max_concurrent, e.active FROM endpoints e
                                    WHERE e.id = queued.endpoint_id LIMIT 1) ep
    CROSS JOIN LATERAL (SELECT MIN(d.next_attempt_at) AS head FROM deliveries d
                        WHERE d.endpoint_id = ep.id AND d.state = 'pending') h
    -- Deliveries of disabled endpoints are paused: not claimed.
    WHERE ep.active AND NOT (ep.id = ANY($6)) AND h.head <= $4
    ORDER BY h.head
    LIMIT $5
), candidates AS (
    SELECT c.id, c.endpoint_id, c.next_attempt_at, heads.cap
    FROM heads CROSS JOIN LATERAL (
        SELECT d.id, d.endpoint_id, d.next_attempt_at FROM deliveries d
        WHERE d.endpoint_id = heads.id AND d.state = 'pending' AND d.next_attempt_at <= $4
        ORDER BY d.next_attempt_at
        LIMIT $9
        FOR UPDATE SKIP LOCKED
    ) c
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
    -- By key, not a join: the claim runs with a generic plan (see
    -- postgres.rs), which cannot know how few rows $5 allows, and joined
    -- it hashed a scan of the whole table.
    UPDATE deliveries d
    SET state = 'in_flight', lease_owner = $1, lease_token = $2, leased_until = $3, updated_at = $4
    WHERE d.id = ANY (ARRAY(SELECT id FROM due))
    RETURNING d.id, d.event_id, d.endpoint_id, d.attempt_count, d.cycle_start, d.next_attempt_at,
              d.ordering_key
)
SELECT c.id, c.event_id, c.endpoint_id, c.attempt_count, c.cycle_start,
       e.event_type, e.payload, ep.url, ep.secret, ep.previous_secret, ep.previous_secret_expires_at,
       ep.max_concurrent, ep.signature_scheme, ep.headers,
       ep.retry_policy, c.ordering_key, e.traceparent, e.tracestate
FROM claimed c
JOIN events e ON e.id = c.event_id
JOIN endpoints ep ON ep.id = c.endpoint_id
ORDER BY c.next_attempt_at
