SELECT id, url, event_patterns, active, disabled_reason, disabled_at, origin, secret,
       previous_secret_expires_at, signature_scheme, consecutive_failures, auto_disabled, created_at, updated_at,
       headers, retry_policy, payload_filter, max_concurrent
FROM endpoints
