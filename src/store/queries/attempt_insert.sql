-- Attempts are appended whether or not the lease still holds: they
-- happened. Followed by the VALUES rows.
INSERT INTO attempts (delivery_id, attempt_number, started_at, duration_ms, http_status,
                      error_kind, error_message, response_excerpt, instance_id)
