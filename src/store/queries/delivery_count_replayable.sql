-- How many deliveries a bulk replay would copy: the same rows as
-- delivery_replay_page (to endpoints that still exist). The caller appends
-- its filters on `d` and `e`.
SELECT COUNT(*) FROM deliveries d
JOIN events e ON e.id = d.event_id
JOIN endpoints ep ON ep.id = d.endpoint_id
WHERE ep.deleted_at IS NULL
