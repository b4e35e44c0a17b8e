/**
 * Java client for webhookd, the webhook delivery service.
 *
 * <p>Producers and operators use {@link dev.webhookd.client.WebhookdClient}: one method per call
 * of the gRPC API, results as this package's records and enums ({@link java.time.Instant}, {@link
 * java.time.Duration}, {@code long}), failures as {@link dev.webhookd.client.WebhookdException},
 * retries under a {@link dev.webhookd.client.RetryPolicy}. Receivers use {@link
 * dev.webhookd.client.Webhooks#verify} and {@link dev.webhookd.client.Webhooks#verifyStandard} to
 * check the signature of each delivery. The generated messages and stubs live in {@code
 * dev.webhookd.v1}, for {@link dev.webhookd.client.WebhookdClient#raw()}.
 */
package dev.webhookd.client;
