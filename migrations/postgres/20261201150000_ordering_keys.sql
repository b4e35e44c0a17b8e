-- Ordering keys: deliveries with the same key to the same endpoint go one
-- at a time, in insertion order (ordering_seq: a sequence, so order holds
-- across instances whatever their clocks). A delivery waiting for the one
-- before it is pending with next_attempt_at at the far-future "held" mark.
ALTER TABLE events ADD COLUMN ordering_key TEXT;
ALTER TABLE deliveries ADD COLUMN ordering_key TEXT;
CREATE SEQUENCE deliveries_ordering_seq;
-- Added without a default, then given one: existing rows are not rewritten.
ALTER TABLE deliveries ADD COLUMN ordering_seq BIGINT;
ALTER TABLE deliveries ALTER COLUMN ordering_seq SET DEFAULT nextval('deliveries_ordering_seq');
CREATE INDEX deliveries_ordering ON deliveries (endpoint_id, ordering_key, ordering_seq)
    WHERE ordering_key IS NOT NULL AND state IN ('pending', 'in_flight');
