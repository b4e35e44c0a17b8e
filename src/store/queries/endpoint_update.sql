UPDATE endpoints SET url = COALESCE($1, url), event_patterns = COALESCE($2, event_patterns),
    headers = COALESCE($5, headers),
    -- $6: whether to set the schedule, $7 the new one (NULL: the config's).
    retry_policy = CASE WHEN $6 THEN $7 ELSE retry_policy END,
    -- $8: whether to set the filter, $9 the new one (NULL: none).
    payload_filter = CASE WHEN $8 THEN $9 ELSE payload_filter END, updated_at = $3
WHERE id = $4 AND deleted_at IS NULL
