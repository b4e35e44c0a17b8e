SELECT delivery_id, attempt_number, started_at, duration_ms, http_status, error_kind,
       error_message, response_excerpt, instance_id
FROM attempts WHERE delivery_id = $1 ORDER BY id
