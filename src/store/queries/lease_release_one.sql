-- Puts a claimed delivery back without an attempt, due at $1.
UPDATE deliveries SET state = 'pending', next_attempt_at = $1, lease_owner = NULL,
    lease_token = NULL, leased_until = NULL
WHERE id = $2 AND lease_token = $3
