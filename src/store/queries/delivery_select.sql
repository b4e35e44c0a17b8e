-- Deliveries as `d`, joined with their event as `e`; the caller appends
-- its conditions (this ends with a WHERE that holds).
SELECT d.id, d.event_id, d.endpoint_id, d.state, d.attempt_count, d.next_attempt_at, d.last_error,
       d.replay_of, d.created_at, d.updated_at, e.event_type, d.ordering_key
FROM deliveries d JOIN events e ON e.id = d.event_id
WHERE 1 = 1
