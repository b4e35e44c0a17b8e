-- Every stored secret, deleted endpoints' too, for resealing at start.
SELECT id, secret, previous_secret FROM endpoints
WHERE secret IS NOT NULL OR previous_secret IS NOT NULL
ORDER BY id
