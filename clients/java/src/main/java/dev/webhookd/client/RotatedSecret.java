package dev.webhookd.client;

/**
 * The outcome of {@link WebhookdClient#rotateEndpointSecret rotateEndpointSecret}.
 *
 * @param endpoint the endpoint, with {@code previousSecretExpiresAt} set
 * @param newSecret the new secret, shown this once: store it now
 */
public record RotatedSecret(
    Endpoint endpoint,
    String newSecret) {
}
