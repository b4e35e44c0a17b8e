INSERT INTO store_probes (name, probed_at, ballast) VALUES ('write', $1, $2)
ON CONFLICT (name) DO UPDATE SET probed_at = excluded.probed_at, ballast = excluded.ballast
