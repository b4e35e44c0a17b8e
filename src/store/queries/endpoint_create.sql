-- An endpoint of the API. A deleted endpoint's id may be used again: the
-- row is reused; a live one is left alone (no row changes: it exists).
INSERT INTO endpoints (id, url, event_patterns, secret, active, origin, created_at, updated_at, signature_scheme, max_concurrent, headers, retry_policy, payload_filter)
VALUES ($1, $2, $3, $4, $5, 'api', $6, $6, $7, $8, $9, $10, $11)
ON CONFLICT (id) DO UPDATE SET
    url = excluded.url, event_patterns = excluded.event_patterns, secret = excluded.secret,
    signature_scheme = excluded.signature_scheme, max_concurrent = excluded.max_concurrent,
    headers = excluded.headers, retry_policy = excluded.retry_policy,
    payload_filter = excluded.payload_filter,
    active = excluded.active, origin = 'api', disabled_reason = NULL, disabled_at = NULL,
    previous_secret = NULL, previous_secret_expires_at = NULL, consecutive_failures = 0,
    deleted_at = NULL, created_at = excluded.created_at, updated_at = excluded.updated_at
WHERE endpoints.deleted_at IS NOT NULL
