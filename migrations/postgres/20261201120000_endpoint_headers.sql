-- Custom headers of an endpoint, added to every delivery: a JSON object of
-- lower-case names to values.
ALTER TABLE endpoints ADD COLUMN headers TEXT NOT NULL DEFAULT '{}';
