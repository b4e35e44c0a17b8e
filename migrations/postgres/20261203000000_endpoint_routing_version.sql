-- A counter raised, in the same transaction, by every change to what
-- routing reads of an endpoint (endpoint_routing.sql): each writer keeps
-- the endpoints it parsed while the counter stands still, instead of
-- reading and parsing every endpoint for every batch. Kept by a trigger,
-- so a change made outside webhookd (an operator's psql, another
-- instance) counts too. A column added to the routing query must be added
-- to the trigger's list.
CREATE TABLE endpoint_routing_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO endpoint_routing_version (id, version) VALUES (1, 0);

CREATE FUNCTION raise_endpoint_routing_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE endpoint_routing_version SET version = version + 1;
    RETURN NULL;
END
$$;

-- Deferred to the commit, so the counter's row is the last lock a
-- transaction takes: a batch that disables an endpoint holds endpoint row
-- locks taken in ascending order, and taking the counter's lock in the
-- middle of them could deadlock with another batch doing the same.
-- Not on consecutive_failures, disabled_reason or the timestamps, which
-- change with attempts and are not routed on.
CREATE CONSTRAINT TRIGGER endpoints_routing_changed
    AFTER INSERT OR DELETE OR UPDATE OF
        id, url, event_patterns, secret, active, previous_secret,
        previous_secret_expires_at, max_concurrent, deleted_at, signature_scheme,
        headers, retry_policy, payload_filter
    ON endpoints
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION raise_endpoint_routing_version();
