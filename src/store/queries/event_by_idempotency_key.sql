SELECT id FROM events WHERE idempotency_key = $1
