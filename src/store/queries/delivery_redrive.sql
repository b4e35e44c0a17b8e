-- A fresh retry cycle for dead letters. The caller appends the due and
-- update times and the ids: `, next_attempt_at = …, updated_at = … WHERE
-- state = 'dead' AND id IN (…)`.
UPDATE deliveries SET state = 'pending', cycle_start = attempt_count
