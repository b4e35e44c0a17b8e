-- The endpoint's secrets sealed anew (same values, another key).
UPDATE endpoints SET secret = $2, previous_secret = $3 WHERE id = $1
