UPDATE endpoints SET active = TRUE, disabled_reason = NULL, disabled_at = NULL,
    auto_disabled = FALSE, consecutive_failures = 0, updated_at = $1
WHERE id = $2 AND deleted_at IS NULL
