-- SQLite serves one process per file, so every lease found at start was
-- left by a process that is gone.
UPDATE deliveries
SET state = 'pending', lease_owner = NULL, lease_token = NULL, leased_until = NULL, updated_at = ?1
WHERE state = 'in_flight'
