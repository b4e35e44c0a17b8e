package dev.webhookd.client;

/**
 * The outcome of {@link WebhookdClient#createApiKey createApiKey}.
 *
 * @param apiKey the new key's description
 * @param key the key, shown this once: store it now and pass it to {@link WebhookdClient.Builder#apiKey}
 */
public record CreatedApiKey(
    ApiKey apiKey,
    String key) {
}
