-- The tables among $1 that grew past $2 rows and to more than $3 times the
-- size their planner statistics describe (never gathered counts as empty).
-- Growth is what turns plans bad here; autovacuum keeps up with the churn
-- of a table whose size holds.
SELECT t.name
FROM unnest($1::text[]) AS t(name)
JOIN pg_stat_user_tables s ON s.relid = to_regclass(t.name)
JOIN pg_class c ON c.oid = s.relid
WHERE s.n_live_tup > $2 AND s.n_live_tup > $3 * GREATEST(c.reltuples, 0)
