-- An endpoint's payload filter (a JSON object, as written); NULL: every
-- event of its types.
ALTER TABLE endpoints ADD COLUMN payload_filter TEXT;
