-- The caller appends the ids: `(…)`.
SELECT COUNT(*) FROM deliveries WHERE state = 'dead' AND id IN
