SELECT secret FROM endpoints WHERE id = $1 AND deleted_at IS NULL
