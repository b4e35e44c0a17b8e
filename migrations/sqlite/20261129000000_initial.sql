-- webhookd schema, SQLite. Times are unix milliseconds from the webhookd
-- process clock.

CREATE TABLE endpoints (
    id                   TEXT PRIMARY KEY,
    url                  TEXT NOT NULL,
    -- JSON array of event types and patterns ("order.created", "order.*", "*").
    event_patterns       TEXT NOT NULL,
    -- NULL: deliveries are signed with webhook_engine.signing_secret.
    secret               TEXT,
    active               INTEGER NOT NULL DEFAULT 1,
    disabled_reason      TEXT,
    disabled_at          INTEGER,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    -- 'config' (seeded from the config file) or 'api'.
    origin               TEXT NOT NULL,
    -- The secret before the last rotation, still signed with until it expires.
    previous_secret      TEXT,
    previous_secret_expires_at INTEGER,
    -- Disabled by webhookd itself (failure threshold, 410 Gone): the
    -- recovery probe may re-enable it.
    auto_disabled        INTEGER NOT NULL DEFAULT 0,
    -- Most requests in flight to this endpoint; NULL: the engine default.
    max_concurrent       INTEGER,
    -- Deleted endpoints stay for the history of their deliveries.
    deleted_at           INTEGER,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);

-- Append-only: never updated (see the trigger below).
CREATE TABLE events (
    id              TEXT PRIMARY KEY,
    event_type      TEXT NOT NULL,
    -- The canonical JSON bytes, exactly as signed and sent.
    payload         BLOB NOT NULL,
    idempotency_key TEXT UNIQUE,
    created_at      INTEGER NOT NULL
);
CREATE INDEX events_created_at ON events (created_at);

CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,
    event_id        TEXT NOT NULL REFERENCES events (id),
    endpoint_id     TEXT NOT NULL REFERENCES endpoints (id),
    -- pending | in_flight | succeeded | failed | dead
    state           TEXT NOT NULL,
    attempt_count   INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    -- The instance that holds the lease, and a token unique to the claim:
    -- results are recorded only while the token still matches (fencing).
    lease_owner     TEXT,
    lease_token     TEXT,
    leased_until    INTEGER,
    last_error      TEXT,
    -- attempt_count when the current retry cycle began (a redrive starts a
    -- new cycle): the retry policy counts attempts from here.
    cycle_start     INTEGER NOT NULL DEFAULT 0,
    -- The delivery this one replays, if any.
    replay_of       TEXT REFERENCES deliveries (id),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX deliveries_leases ON deliveries (leased_until) WHERE state = 'in_flight';
CREATE INDEX deliveries_lease_token ON deliveries (lease_token) WHERE lease_token IS NOT NULL;
CREATE INDEX deliveries_event ON deliveries (event_id);
CREATE INDEX deliveries_endpoint_state ON deliveries (endpoint_id, state);

-- Append-only: never updated (see the trigger below).
CREATE TABLE attempts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id      TEXT NOT NULL REFERENCES deliveries (id),
    attempt_number   INTEGER NOT NULL,
    started_at       INTEGER NOT NULL,
    duration_ms      INTEGER NOT NULL,
    -- NULL when no response was received.
    http_status      INTEGER,
    -- NULL on success; timeout | connect | dns | tls | http_3xx | http_4xx | http_5xx | io | ...
    error_kind       TEXT,
    error_message    TEXT,
    response_excerpt TEXT,
    -- The webhookd instance that made the attempt.
    instance_id      TEXT
);
CREATE INDEX attempts_delivery ON attempts (delivery_id);
CREATE INDEX attempts_started_at ON attempts (started_at);

CREATE TRIGGER events_are_append_only BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TRIGGER attempts_are_append_only BEFORE UPDATE ON attempts
BEGIN
    SELECT RAISE(ABORT, 'attempts are append-only');
END;
