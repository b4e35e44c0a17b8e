-- Releases every held delivery ($2) that heads its ordering key: a safety
-- net for a release that a concurrent Dispatch missed. Due as of their dispatch (updated at $1).
UPDATE deliveries SET next_attempt_at = created_at, updated_at = ?1
WHERE next_attempt_at = ?2 AND state = 'pending' AND id IN (
    SELECT (SELECT h.id FROM deliveries h
            WHERE h.endpoint_id = k.endpoint_id AND h.ordering_key = k.ordering_key
              AND h.state IN ('pending', 'in_flight')
            ORDER BY h.rowid LIMIT 1)
    -- The predicate of the deliveries_ordering index, so the sweep reads
    -- the keyed unfinished deliveries only, never the whole backlog.
    FROM (SELECT DISTINCT endpoint_id, ordering_key FROM deliveries
          WHERE ordering_key IS NOT NULL AND state IN ('pending', 'in_flight')
            AND next_attempt_at = ?2) k
)
