-- The secret it replaces ($1, the default secret, for an endpoint without
-- its own) stays valid until $2.
UPDATE endpoints SET previous_secret = COALESCE(secret, $1), previous_secret_expires_at = $2, secret = $3,
    updated_at = $4
WHERE id = $5 AND deleted_at IS NULL
