SELECT COUNT(*) FROM deliveries
WHERE state = 'dead' AND updated_at >= $1 AND ($2 IS NULL OR endpoint_id = $2)
