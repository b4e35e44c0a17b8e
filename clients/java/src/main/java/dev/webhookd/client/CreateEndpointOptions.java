package dev.webhookd.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Optional settings of {@link WebhookdClient#createEndpoint createEndpoint}. Immutable: each {@code
 * with} method returns a copy.
 *
 * <pre>{@code
 * Endpoint endpoint = client.createEndpoint("https://billing.example.com/webhooks",
 *     List.of("order.*"),
 *     CreateEndpointOptions.defaults().withId("ep_billing").withSecret(secret));
 *
 * Endpoint gateway = client.createEndpoint("https://gw.example/hooks",
 *     List.of("order.*"),
 *     CreateEndpointOptions.defaults()
 *         .withHeaders(Map.of("Authorization", "Bearer gw-token", "X-Tenant", "acme")));
 *
 * Endpoint flaky = client.createEndpoint("https://flaky.example/hooks",
 *     List.of("order.*"),
 *     CreateEndpointOptions.defaults()
 *         .withRetryPolicy(RetrySchedule.of(3, Duration.ofMillis(200), Duration.ofSeconds(1))));
 *
 * Endpoint bigOrders = client.createEndpoint("https://big-orders.example/hooks",
 *     List.of("order.*"),
 *     CreateEndpointOptions.defaults().withFilter(Map.of("order.total", Map.of("$gte", 100))));
 * }</pre>
 */
public final class CreateEndpointOptions {
  private static final CreateEndpointOptions DEFAULTS =
      new CreateEndpointOptions("", "", false, SignatureScheme.WEBHOOKD, Map.of(), null, null);

  private final String id;
  private final String secret;
  private final boolean disabled;
  private final SignatureScheme signatureScheme;
  private final Map<String, String> headers;
  private final RetrySchedule retryPolicy;
  private final Map<String, Object> filter;

  private CreateEndpointOptions(
      String id,
      String secret,
      boolean disabled,
      SignatureScheme signatureScheme,
      Map<String, String> headers,
      RetrySchedule retryPolicy,
      Map<String, Object> filter) {
    this.id = id;
    this.secret = secret;
    this.disabled = disabled;
    this.signatureScheme = signatureScheme;
    this.headers = headers;
    this.retryPolicy = retryPolicy;
    this.filter = filter;
  }

  /**
   * Returns the defaults: a generated id, the server's default secret, active, signed with the
   * webhookd scheme, no custom headers, the config's retry policy, no payload filter.
   *
   * @return the default options
   */
  public static CreateEndpointOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Returns a copy with a chosen endpoint id.
   *
   * @param id {@code [A-Za-z0-9_.-]}, at most 255 characters; empty for {@code ep_} and a random
   *     suffix
   * @return the new options
   */
  public CreateEndpointOptions withId(String id) {
    return new CreateEndpointOptions(
        Objects.requireNonNull(id, "id"),
        secret,
        disabled,
        signatureScheme,
        headers,
        retryPolicy,
        filter);
  }

  /**
   * Returns a copy with a signing secret.
   *
   * @param secret at least 24 characters; with {@link SignatureScheme#STANDARD}, {@code whsec_} +
   *     base64 (HMAC) or {@code whsk_} + base64 of an ed25519 seed. Empty to sign with the
   *     server's default secret
   * @return the new options
   */
  public CreateEndpointOptions withSecret(String secret) {
    return new CreateEndpointOptions(
        id,
        Objects.requireNonNull(secret, "secret"),
        disabled,
        signatureScheme,
        headers,
        retryPolicy,
        filter);
  }

  /**
   * Returns a copy that creates the endpoint disabled or not.
   *
   * @param disabled true to create it disabled
   * @return the new options
   */
  public CreateEndpointOptions withDisabled(boolean disabled) {
    return new CreateEndpointOptions(
        id, secret, disabled, signatureScheme, headers, retryPolicy, filter);
  }

  /**
   * Returns a copy with a signature scheme.
   *
   * @param signatureScheme how deliveries are signed
   * @return the new options
   */
  public CreateEndpointOptions withSignatureScheme(SignatureScheme signatureScheme) {
    return new CreateEndpointOptions(
        id,
        secret,
        disabled,
        Objects.requireNonNull(signatureScheme, "signatureScheme"),
        headers,
        retryPolicy,
        filter);
  }

  /**
   * Returns a copy with these custom headers, replacing any given before: static headers that
   * webhookd adds to every delivery (an API gateway's token, a routing hint).
   *
   * <p>At most 20; names are case-insensitive; values are visible ASCII (spaces inside allowed), at
   * most 1 KiB. The headers webhookd sets ({@code Content-Type}, {@code Host}, {@code User-Agent},
   * the hop-by-hop headers, {@code X-Webhook-*}, {@code webhook-*}) are refused by the server with
   * {@code INVALID_ARGUMENT}.
   *
   * @param headers header values by name; empty for none
   * @return the new options
   */
  public CreateEndpointOptions withHeaders(Map<String, String> headers) {
    Objects.requireNonNull(headers, "headers");
    return new CreateEndpointOptions(
        id, secret, disabled, signatureScheme, Map.copyOf(headers), retryPolicy, filter);
  }

  /**
   * Returns a copy with one more custom header, replacing a header of the same name in any case.
   * See {@link #withHeaders(Map)}.
   *
   * @param name the header name
   * @param value its value
   * @return the new options
   */
  public CreateEndpointOptions withHeader(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    Map<String, String> copy = new LinkedHashMap<>(headers);
    copy.keySet().removeIf(existing -> existing.equalsIgnoreCase(name));
    copy.put(name, value);
    return new CreateEndpointOptions(
        id, secret, disabled, signatureScheme, Map.copyOf(copy), retryPolicy, filter);
  }

  /**
   * Returns a copy with the endpoint's own retry schedule, in place of the config's {@code
   * retry_policy} for its deliveries. An invalid one is refused by the server with {@code
   * INVALID_ARGUMENT} and a field violation on {@code retry_policy.max_attempts} or {@code
   * retry_policy.delays_seconds[i]}.
   *
   * @param retryPolicy the schedule, or null for the config's
   * @return the new options
   */
  public CreateEndpointOptions withRetryPolicy(RetrySchedule retryPolicy) {
    return new CreateEndpointOptions(
        id, secret, disabled, signatureScheme, headers, retryPolicy, filter);
  }

  /**
   * Returns a copy with a payload filter: events of the endpoint's types are routed to it only when
   * their payload matches, decided at dispatch. The filter is a JSON object of dotted paths to
   * conditions, all of which must hold: a plain value is equality; a map of operators ({@code
   * $eq}, {@code $ne}, {@code $in}, {@code $nin}, {@code $exists}, {@code $gt}, {@code $gte},
   * {@code $lt}, {@code $lte}) tests the value at the path.
   *
   * <pre>{@code
   * CreateEndpointOptions.defaults().withFilter(Map.of(
   *     "order.total", Map.of("$gte", 100),
   *     "order.currency", Map.of("$in", List.of("EUR", "USD"))));
   * }</pre>
   *
   * <p>It is sent as a {@code google.protobuf.Struct}, so its numbers become {@link Double}s. An
   * invalid filter is refused by the server with {@code INVALID_ARGUMENT} and a field violation
   * under {@code filter}. Endpoints named in {@link
   * DispatchOptions#withEndpointIds(java.util.List)} and replays are not filtered.
   *
   * @param filter the filter, of maps with string keys, lists, strings, numbers, booleans and
   *     nulls; or null for none
   * @return the new options
   * @throws IllegalArgumentException if the filter holds a key that is not a string or a value of
   *     another type
   */
  public CreateEndpointOptions withFilter(Map<String, ?> filter) {
    return new CreateEndpointOptions(
        id,
        secret,
        disabled,
        signatureScheme,
        headers,
        retryPolicy,
        Convert.copyJsonObject(filter));
  }

  /**
   * Returns the endpoint id.
   *
   * @return the id, empty for a generated one
   */
  public String id() {
    return id;
  }

  /**
   * Returns the signing secret.
   *
   * @return the secret, empty for the server's default
   */
  public String secret() {
    return secret;
  }

  /**
   * Tells whether the endpoint is created disabled.
   *
   * @return true when it is
   */
  public boolean disabled() {
    return disabled;
  }

  /**
   * Returns the signature scheme.
   *
   * @return the scheme
   */
  public SignatureScheme signatureScheme() {
    return signatureScheme;
  }

  /**
   * Returns the custom headers.
   *
   * @return header values by name, unmodifiable; empty for none
   */
  public Map<String, String> headers() {
    return headers;
  }

  /**
   * Returns the endpoint's own retry schedule.
   *
   * @return the schedule, or null for the config's
   */
  public RetrySchedule retryPolicy() {
    return retryPolicy;
  }

  /**
   * Returns the payload filter.
   *
   * @return the filter as JSON values (unmodifiable; numbers are {@link Double}s), or null for none
   */
  public Map<String, Object> filter() {
    return filter;
  }
}
