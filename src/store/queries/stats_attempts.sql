-- Attempts since $1 in buckets of $2 ms, of endpoint $3 (all when NULL),
-- grouped for metrics. Grouping in the database keeps the rows few:
-- distinct durations are bounded by the request timeout in ms.
SELECT d.endpoint_id, (a.started_at - $1) / $2 AS bucket, a.duration_ms, a.http_status / 100 AS status_class,
       a.error_kind, COUNT(*) AS count
FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
WHERE a.started_at >= $1 AND ($3 IS NULL OR d.endpoint_id = $3)
GROUP BY d.endpoint_id, bucket, a.duration_ms, status_class, a.error_kind
