-- An endpoint of the config file: created, or overwritten if its id
-- exists (even as an API endpoint).
INSERT INTO endpoints (id, url, event_patterns, secret, active, max_concurrent, origin, created_at, updated_at, signature_scheme, headers, retry_policy, payload_filter)
VALUES ($1, $2, $3, $4, $5, $7, 'config', $6, $6, $8, $9, $10, $11)
ON CONFLICT (id) DO UPDATE SET
    url = excluded.url, event_patterns = excluded.event_patterns, secret = excluded.secret,
    signature_scheme = excluded.signature_scheme,
    max_concurrent = excluded.max_concurrent, headers = excluded.headers,
    retry_policy = excluded.retry_policy, payload_filter = excluded.payload_filter,
    origin = 'config',
    deleted_at = NULL,
    -- A deleted endpoint brought back by the file is a new endpoint, as
    -- create_endpoint makes it: the old one's failures and replaced secret
    -- do not carry over. (SET reads the row as it was: deleted_at too.)
    consecutive_failures = CASE WHEN endpoints.deleted_at IS NULL
        THEN endpoints.consecutive_failures ELSE 0 END,
    previous_secret = CASE WHEN endpoints.deleted_at IS NULL THEN endpoints.previous_secret END,
    previous_secret_expires_at = CASE WHEN endpoints.deleted_at IS NULL
        THEN endpoints.previous_secret_expires_at END,
    -- An endpoint webhookd disabled itself stays disabled across restarts
    -- while the file still wants it active: only EnableEndpoint or the
    -- recovery probe bring it back.
    active = CASE WHEN endpoints.auto_disabled AND endpoints.deleted_at IS NULL
        THEN FALSE ELSE excluded.active END,
    auto_disabled = (endpoints.auto_disabled AND endpoints.deleted_at IS NULL AND excluded.active),
    disabled_reason = CASE
        WHEN endpoints.auto_disabled AND endpoints.deleted_at IS NULL AND excluded.active THEN endpoints.disabled_reason
        WHEN excluded.active THEN NULL ELSE 'inactive in the config file' END,
    disabled_at = CASE
        WHEN endpoints.auto_disabled AND endpoints.deleted_at IS NULL AND excluded.active THEN endpoints.disabled_at
        WHEN excluded.active THEN NULL ELSE excluded.updated_at END,
    updated_at = excluded.updated_at
