-- Appended to endpoint_select.
WHERE deleted_at IS NULL AND id > $1 ORDER BY id LIMIT $2
