-- Makes deliveries whose lease expired before $1 claimable again.
UPDATE deliveries
SET state = 'pending', lease_owner = NULL, lease_token = NULL, leased_until = NULL, updated_at = $1
WHERE state = 'in_flight' AND leased_until <= $1
