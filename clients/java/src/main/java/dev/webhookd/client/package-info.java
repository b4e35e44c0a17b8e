/**
 * Java client for webhookd.
 *
 * <p>Producers and operators use {@link dev.webhookd.client.WebhookdClient} to call the gRPC API
 * (the generated messages and stubs live in {@code dev.webhookd.v1}). Receivers use {@link
 * dev.webhookd.client.Webhooks#verify} to check the signature of each delivery.
 */
package dev.webhookd.client;
