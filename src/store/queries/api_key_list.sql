SELECT name, key_sha256, role, created_at, revoked_at FROM api_keys ORDER BY name
