-- A counter raised, in the same transaction, by every change to what
-- routing reads of an endpoint (endpoint_routing.sql): the writer keeps
-- the endpoints it parsed while the counter stands still, instead of
-- reading and parsing every endpoint for every batch. Kept by triggers,
-- so a change made outside webhookd (an operator's sqlite3) counts too.
-- A column added to the routing query must be added to the update
-- trigger's list.
CREATE TABLE endpoint_routing_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO endpoint_routing_version (id, version) VALUES (1, 0);

CREATE TRIGGER endpoints_routing_inserted AFTER INSERT ON endpoints
BEGIN
    UPDATE endpoint_routing_version SET version = version + 1;
END;

CREATE TRIGGER endpoints_routing_deleted AFTER DELETE ON endpoints
BEGIN
    UPDATE endpoint_routing_version SET version = version + 1;
END;

-- Not on consecutive_failures, disabled_reason or the timestamps, which
-- change with attempts and are not routed on.
CREATE TRIGGER endpoints_routing_updated AFTER UPDATE OF
    id, url, event_patterns, secret, active, previous_secret,
    previous_secret_expires_at, max_concurrent, deleted_at, signature_scheme,
    headers, retry_policy, payload_filter
ON endpoints
BEGIN
    UPDATE endpoint_routing_version SET version = version + 1;
END;
