-- Endpoints as routing sees them: disabled ones are routed to (their
-- deliveries pause), deleted ones are not.
SELECT id, event_patterns, active, payload_filter, max_concurrent FROM endpoints WHERE deleted_at IS NULL ORDER BY id
