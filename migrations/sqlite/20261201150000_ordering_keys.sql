-- Ordering keys: deliveries with the same key to the same endpoint go one
-- at a time, in insertion order (rowid). A delivery waiting for the one
-- before it is pending with next_attempt_at at the far-future "held" mark.
ALTER TABLE events ADD COLUMN ordering_key TEXT;
ALTER TABLE deliveries ADD COLUMN ordering_key TEXT;
CREATE INDEX deliveries_ordering ON deliveries (endpoint_id, ordering_key)
    WHERE ordering_key IS NOT NULL AND state IN ('pending', 'in_flight');
