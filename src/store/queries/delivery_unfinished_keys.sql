-- The (endpoint, ordering key) pairs with an unfinished delivery, among
-- the keys the caller appends: `(…)`.
SELECT DISTINCT endpoint_id, ordering_key FROM deliveries
WHERE state IN ('pending', 'in_flight') AND ordering_key IN
