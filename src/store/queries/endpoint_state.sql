-- Whether an endpoint is active, and whether it was deleted.
SELECT active, deleted_at FROM endpoints WHERE id = $1
