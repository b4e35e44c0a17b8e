SELECT id FROM endpoints WHERE origin = 'config' AND deleted_at IS NULL
