-- The failure count lives in the database, so it is right however many
-- instances deliver to the endpoint.
UPDATE endpoints SET consecutive_failures = consecutive_failures + 1
WHERE id = $1 RETURNING consecutive_failures
