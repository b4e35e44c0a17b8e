-- The deliveries a bulk replay copies: to endpoints that still exist. The
-- caller appends the id range, its filters, ORDER BY and LIMIT.
SELECT d.id, d.event_id, d.endpoint_id FROM deliveries d
JOIN events e ON e.id = d.event_id
JOIN endpoints ep ON ep.id = d.endpoint_id
WHERE ep.deleted_at IS NULL
