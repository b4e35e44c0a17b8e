-- An attempt in flight loses its lease, so its late result cannot revive
-- the delivery.
UPDATE deliveries SET state = 'cancelled', last_error = 'endpoint deleted',
    lease_owner = NULL, lease_token = NULL, leased_until = NULL, updated_at = $1
WHERE endpoint_id = $2 AND state IN ('pending', 'in_flight')
