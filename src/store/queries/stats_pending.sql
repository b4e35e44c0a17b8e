SELECT endpoint_id, COUNT(*) AS count, MIN(created_at) AS oldest_created_at
FROM deliveries WHERE state IN ('pending', 'in_flight') GROUP BY endpoint_id
