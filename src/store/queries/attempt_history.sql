-- Attempts since $1 with their delivery's state now, oldest first.
SELECT a.delivery_id, d.event_id, d.endpoint_id, e.event_type, a.attempt_number, a.started_at,
       a.duration_ms, a.http_status, a.error_kind, d.state, d.attempt_count, d.next_attempt_at
FROM attempts a
JOIN deliveries d ON d.id = a.delivery_id
JOIN events e ON e.id = d.event_id
WHERE a.started_at >= $1
ORDER BY a.id LIMIT $2
