-- Dead letters; the caller appends filters on `d` and `e`.
SELECT d.id FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.state = 'dead'
