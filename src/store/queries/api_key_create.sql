INSERT INTO api_keys (name, key_sha256, role, created_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (name) DO NOTHING
