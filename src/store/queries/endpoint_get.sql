-- Appended to endpoint_select.
WHERE id = $1 AND deleted_at IS NULL
