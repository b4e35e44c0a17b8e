UPDATE endpoints SET url = COALESCE($1, url), event_patterns = COALESCE($2, event_patterns),
    headers = COALESCE($5, headers), updated_at = $3
WHERE id = $4 AND deleted_at IS NULL
