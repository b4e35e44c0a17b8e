SELECT id FROM events WHERE id = $1
