UPDATE endpoints SET url = COALESCE($1, url), event_patterns = COALESCE($2, event_patterns),
    updated_at = $3
WHERE id = $4 AND deleted_at IS NULL
