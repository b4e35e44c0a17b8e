-- Leases the deliveries whose ids $5 lists (a JSON array) to $1 with token
-- $2 until $3, at $4: what a claim on the writer thread picked. Only
-- pending ones: the write turn keeps anything else from writing between
-- the pick and this, so all of them are.
UPDATE deliveries
SET state = 'in_flight', lease_owner = ?1, lease_token = ?2, leased_until = ?3, updated_at = ?4
WHERE id IN (SELECT value FROM json_each(?5)) AND state = 'pending'
