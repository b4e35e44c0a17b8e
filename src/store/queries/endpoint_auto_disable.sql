UPDATE endpoints SET active = FALSE, auto_disabled = TRUE, disabled_reason = $1, disabled_at = $2,
    updated_at = $2
WHERE id = $3 AND active
