-- A healthy endpoint matches no row and takes no lock, so the hot path
-- never contends on endpoint rows. The caller appends the ids: `(…)`.
UPDATE endpoints SET consecutive_failures = 0 WHERE consecutive_failures <> 0 AND id IN
