-- An endpoint's own retry schedule (JSON: max_attempts, delays in ms);
-- NULL: the config's retry_policy.
ALTER TABLE endpoints ADD COLUMN retry_policy TEXT;
