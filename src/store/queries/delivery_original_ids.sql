-- Each endpoint an event was dispatched to, with its first original
-- delivery (replays excluded).
SELECT endpoint_id, MIN(id) FROM deliveries
WHERE event_id = $1 AND replay_of IS NULL GROUP BY endpoint_id ORDER BY endpoint_id
