-- Events of the dead letters retention removes: dead before the cutoff $1,
-- and not the original of a replay (the link must hold).
SELECT DISTINCT event_id FROM deliveries WHERE id IN (
    SELECT id FROM deliveries d WHERE d.state = 'dead' AND d.updated_at < $1
      AND NOT EXISTS (SELECT 1 FROM deliveries r WHERE r.replay_of = d.id))
