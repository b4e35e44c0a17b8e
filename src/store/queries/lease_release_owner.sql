-- Returns an instance's leased deliveries to pending (graceful shutdown).
UPDATE deliveries
SET state = 'pending', lease_owner = NULL, lease_token = NULL, leased_until = NULL, updated_at = $1
WHERE state = 'in_flight' AND lease_owner = $2
