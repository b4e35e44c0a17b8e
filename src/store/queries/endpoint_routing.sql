-- Endpoints as routing sees them: disabled ones are routed to (their
-- deliveries pause), deleted ones are not. With what their deliveries are
-- sent with, for the deliveries a dispatch starts at once.
SELECT id, event_patterns, active, payload_filter, max_concurrent,
       url, secret, previous_secret, previous_secret_expires_at,
       signature_scheme, headers, retry_policy
FROM endpoints WHERE deleted_at IS NULL ORDER BY id
