-- Per-endpoint signature scheme: webhookd (X-Webhook-*) or Standard Webhooks.
ALTER TABLE endpoints ADD COLUMN signature_scheme TEXT NOT NULL DEFAULT 'webhookd'
    CHECK (signature_scheme IN ('webhookd', 'standard'));

-- API keys created over the API (those of the config file are not stored).
-- Only the SHA-256 of a key is kept.
CREATE TABLE api_keys (
    name TEXT PRIMARY KEY,
    key_sha256 TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('dispatch', 'read', 'admin')),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
