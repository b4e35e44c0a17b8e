UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE name = $2
