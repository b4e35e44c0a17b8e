-- The endpoints with a pending delivery, one index seek apiece, so the
-- many endpoints with nothing queued cost nothing. Prepended to claim.sql
-- and next_wakeup.sql, which read `queued`.
WITH RECURSIVE queued (endpoint_id) AS (
    -- The pending index, by name: the index on (endpoint_id, state) would
    -- step through the delivered history of endpoints with nothing queued.
    -- ORDER BY … LIMIT 1 rather than MIN(), which SQLite may answer by
    -- reading the whole index.
    SELECT (SELECT endpoint_id FROM deliveries INDEXED BY deliveries_pending
            WHERE state = 'pending' ORDER BY endpoint_id LIMIT 1)
    UNION ALL
    SELECT (SELECT q.endpoint_id FROM deliveries q INDEXED BY deliveries_pending
            WHERE q.state = 'pending' AND q.endpoint_id > queued.endpoint_id
            ORDER BY q.endpoint_id LIMIT 1)
    FROM queued WHERE queued.endpoint_id IS NOT NULL
)
