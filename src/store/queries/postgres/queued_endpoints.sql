-- The endpoints with a pending delivery, one index seek apiece, so the
-- many endpoints with nothing queued cost nothing. Prepended to claim.sql
-- and next_wakeup.sql, which read `queued`.
WITH RECURSIVE queued (endpoint_id) AS (
    SELECT (SELECT MIN(endpoint_id) FROM deliveries WHERE state = 'pending')
    UNION ALL
    SELECT (SELECT MIN(d.endpoint_id) FROM deliveries d
            WHERE d.state = 'pending' AND d.endpoint_id > queued.endpoint_id)
    FROM queued WHERE queued.endpoint_id IS NOT NULL
)
