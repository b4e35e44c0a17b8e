-- Readiness commits a probe write here while writes fail (a full disk),
-- to learn when they commit again. One row per probe kind, overwritten.
CREATE TABLE store_probes (
    name      TEXT PRIMARY KEY,
    probed_at BIGINT NOT NULL,
    -- About a batch's worth of bytes, so a probe that fits means real
    -- batches fit too.
    ballast   BYTEA
);
