UPDATE endpoints SET deleted_at = $1, active = FALSE, disabled_reason = 'deleted',
    disabled_at = $1, updated_at = $1
WHERE id = $2 AND deleted_at IS NULL
