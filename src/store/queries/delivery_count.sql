-- The caller appends its filters on `d` and `e`.
SELECT COUNT(*) FROM deliveries d JOIN events e ON e.id = d.event_id WHERE 1 = 1
