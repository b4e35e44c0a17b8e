-- Releases the head of ordering key $2 at endpoint $1: its earliest
-- unfinished delivery, if held ($4), becomes due (as of its dispatch; updated at $3).
UPDATE deliveries SET next_attempt_at = created_at, updated_at = $3
WHERE next_attempt_at = $4 AND state = 'pending' AND id = (
    SELECT h.id FROM deliveries h
    WHERE h.endpoint_id = $1 AND h.ordering_key = $2 AND h.state IN ('pending', 'in_flight')
    ORDER BY h.ordering_seq LIMIT 1
)
