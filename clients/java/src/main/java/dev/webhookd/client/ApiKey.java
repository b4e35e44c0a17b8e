package dev.webhookd.client;

import java.time.Instant;

/**
 * An API key, without the key itself.
 *
 * @param name its unique name
 * @param role what it may do
 * @param origin {@code config} (from the config file) or {@code api}
 * @param createdAt when it was created
 * @param revokedAt when it was revoked, or null
 * @param fingerprint the first 8 hex characters of the key's SHA-256
 */
public record ApiKey(
    String name,
    ApiKeyRole role,
    String origin,
    Instant createdAt,
    Instant revokedAt,
    String fingerprint) {
}
