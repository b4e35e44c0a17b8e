package dev.webhookd.client;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A receiver of webhooks.
 *
 * @param id the endpoint id
 * @param url where deliveries are sent
 * @param eventTypes the event types and patterns it subscribes to
 * @param active false while it is disabled
 * @param disabledReason why it is disabled, when it is; empty otherwise
 * @param disabledAt when it was disabled, or null
 * @param origin {@code config} (from the config file) or {@code api}
 * @param secretHint the last 4 characters of its signing secret
 * @param previousSecretExpiresAt while a rotated-out secret is still accepted: until when; null otherwise
 * @param consecutiveFailures failed attempts in a row
 * @param createdAt when it was created
 * @param updatedAt when it last changed
 * @param circuitState the circuit breaker: {@code closed}, {@code open} or {@code half_open}
 * @param signatureScheme how its deliveries are signed
 * @param publicKey for Standard Webhooks endpoints with an ed25519 secret, the {@code whpk_} public key receivers verify with; empty otherwise
 * @param headers the custom headers added to every delivery, by lower-case name (unmodifiable; empty when there are none); the values of credential headers ({@code authorization}, {@code proxy-authorization}, {@code cookie}, {@code x-api-key}, {@code api-key}) read back as {@code ***}
 * @param retryPolicy its own retry schedule, or null when it follows the config's {@code retry_policy}
 * @param filter its payload filter (see {@link CreateEndpointOptions#withFilter(Map)}) as JSON values: maps, lists, strings, {@link Double}s (every number), booleans and nulls (unmodifiable); null when it has none, and every event of its types is routed to it
 */
public record Endpoint(
    String id,
    String url,
    List<String> eventTypes,
    boolean active,
    String disabledReason,
    Instant disabledAt,
    String origin,
    String secretHint,
    Instant previousSecretExpiresAt,
    int consecutiveFailures,
    Instant createdAt,
    Instant updatedAt,
    String circuitState,
    SignatureScheme signatureScheme,
    String publicKey,
    Map<String, String> headers,
    RetrySchedule retryPolicy,
    Map<String, Object> filter) {
  /**
   * Copies the collections, so that the record is immutable.
   *
   * @throws IllegalArgumentException if the filter holds a value that is not JSON
   */
  public Endpoint {
    eventTypes = List.copyOf(eventTypes);
    headers = Map.copyOf(headers);
    filter = Convert.copyJsonObject(filter);
  }
}
