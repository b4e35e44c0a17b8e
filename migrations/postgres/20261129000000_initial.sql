-- webhookd schema, PostgreSQL. Times are unix milliseconds from the clock of
-- the webhookd instance that wrote them (keep instances NTP-synchronised).

CREATE TABLE endpoints (
    id                   TEXT PRIMARY KEY,
    url                  TEXT NOT NULL,
    -- JSON array of event types and patterns ("order.created", "order.*", "*").
    event_patterns       TEXT NOT NULL,
    -- NULL: deliveries are signed with webhook_engine.signing_secret.
    secret               TEXT,
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    disabled_reason      TEXT,
    disabled_at          BIGINT,
    consecutive_failures BIGINT NOT NULL DEFAULT 0,
    -- 'config' (seeded from the config file) or 'api'.
    origin               TEXT NOT NULL,
    -- The secret before the last rotation, still signed with until it expires.
    previous_secret      TEXT,
    previous_secret_expires_at BIGINT,
    -- Disabled by webhookd itself (failure threshold, 410 Gone): the
    -- recovery probe may re-enable it.
    auto_disabled        BOOLEAN NOT NULL DEFAULT FALSE,
    -- Most requests in flight to this endpoint; NULL: the engine default.
    max_concurrent       BIGINT,
    -- Deleted endpoints stay for the history of their deliveries.
    deleted_at           BIGINT,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);

-- Append-only: never updated (see the trigger below).
CREATE TABLE events (
    id              TEXT PRIMARY KEY,
    event_type      TEXT NOT NULL,
    -- The canonical JSON bytes, exactly as signed and sent.
    payload         BYTEA NOT NULL,
    idempotency_key TEXT UNIQUE,
    created_at      BIGINT NOT NULL
);
CREATE INDEX events_created_at ON events (created_at);

CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,
    event_id        TEXT NOT NULL REFERENCES events (id),
    endpoint_id     TEXT NOT NULL REFERENCES endpoints (id),
    -- pending | in_flight | succeeded | failed | dead
    state           TEXT NOT NULL,
    attempt_count   BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    -- The instance that holds the lease, and a token unique to the claim:
    -- results are recorded only while the token still matches (fencing).
    lease_owner     TEXT,
    lease_token     TEXT,
    leased_until    BIGINT,
    last_error      TEXT,
    -- attempt_count when the current retry cycle began (a redrive starts a
    -- new cycle): the retry policy counts attempts from here.
    cycle_start     BIGINT NOT NULL DEFAULT 0,
    -- The delivery this one replays, if any.
    replay_of       TEXT REFERENCES deliveries (id),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX deliveries_leases ON deliveries (leased_until) WHERE state = 'in_flight';
CREATE INDEX deliveries_lease_token ON deliveries (lease_token) WHERE lease_token IS NOT NULL;
CREATE INDEX deliveries_event ON deliveries (event_id);
CREATE INDEX deliveries_endpoint_state ON deliveries (endpoint_id, state);

-- Append-only: never updated (see the trigger below).
CREATE TABLE attempts (
    id               BIGSERIAL PRIMARY KEY,
    delivery_id      TEXT NOT NULL REFERENCES deliveries (id),
    attempt_number   BIGINT NOT NULL,
    started_at       BIGINT NOT NULL,
    duration_ms      BIGINT NOT NULL,
    -- NULL when no response was received.
    http_status      BIGINT,
    -- NULL on success; timeout | connect | dns | tls | http_3xx | http_4xx | http_5xx | io | ...
    error_kind       TEXT,
    error_message    TEXT,
    response_excerpt TEXT,
    -- The webhookd instance that made the attempt.
    instance_id      TEXT
);
CREATE INDEX attempts_delivery ON attempts (delivery_id);
CREATE INDEX attempts_started_at ON attempts (started_at);

CREATE FUNCTION webhookd_reject_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% are append-only', TG_TABLE_NAME;
END
$$;

CREATE TRIGGER events_are_append_only BEFORE UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION webhookd_reject_update();

CREATE TRIGGER attempts_are_append_only BEFORE UPDATE ON attempts
    FOR EACH ROW EXECUTE FUNCTION webhookd_reject_update();
