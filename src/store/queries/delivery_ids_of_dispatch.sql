-- The deliveries a dispatch created (not its replays).
SELECT id FROM deliveries WHERE event_id = $1 AND replay_of IS NULL ORDER BY id
