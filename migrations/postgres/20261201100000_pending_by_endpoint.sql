-- Claims walk the pending deliveries endpoint by endpoint, so the backlog
-- of a disabled endpoint or of one whose circuit is open is never scanned.
DROP INDEX deliveries_due;
CREATE INDEX deliveries_pending ON deliveries (endpoint_id, next_attempt_at) WHERE state = 'pending';
