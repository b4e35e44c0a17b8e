-- The latest attempts, newest first; only failed ones when $1.
SELECT a.delivery_id, d.event_id, d.endpoint_id, e.event_type, a.attempt_number, a.started_at,
       a.duration_ms, a.http_status, a.error_kind, a.error_message
FROM attempts a
JOIN deliveries d ON d.id = a.delivery_id
JOIN events e ON e.id = d.event_id
WHERE ($1 = FALSE OR a.error_kind IS NOT NULL)
ORDER BY a.id DESC LIMIT $2
