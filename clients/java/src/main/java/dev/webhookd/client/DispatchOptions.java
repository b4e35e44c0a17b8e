package dev.webhookd.client;

import java.util.List;
import java.util.Objects;

/**
 * Optional settings of a {@link WebhookdClient#dispatch dispatch}. Immutable: each {@code with}
 * method returns a copy.
 *
 * <pre>{@code
 * DispatchOptions options = DispatchOptions.defaults()
 *     .withIdempotencyKey("order-1234-created")
 *     .withEndpointIds(List.of("ep_billing"));
 * }</pre>
 */
public final class DispatchOptions {
  private static final DispatchOptions DEFAULTS = new DispatchOptions("", List.of());

  private final String idempotencyKey;
  private final List<String> endpointIds;

  private DispatchOptions(String idempotencyKey, List<String> endpointIds) {
    this.idempotencyKey = idempotencyKey;
    this.endpointIds = endpointIds;
  }

  /**
   * Returns the options of a plain dispatch: no idempotency key, every subscribed endpoint.
   *
   * @return the default options
   */
  public static DispatchOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Returns a copy with an idempotency key: a second dispatch with the same key returns the
   * original event id and delivers nothing new.
   *
   * @param idempotencyKey a producer-chosen key of at most 255 characters; empty for none
   * @return the new options
   */
  public DispatchOptions withIdempotencyKey(String idempotencyKey) {
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    return new DispatchOptions(idempotencyKey, endpointIds);
  }

  /**
   * Returns a copy that delivers only to the given endpoints, whether or not they subscribe to the
   * event type.
   *
   * @param endpointIds the endpoint ids; empty for every endpoint subscribed to the event type
   * @return the new options
   */
  public DispatchOptions withEndpointIds(List<String> endpointIds) {
    return new DispatchOptions(idempotencyKey, List.copyOf(endpointIds));
  }

  /**
   * Returns the idempotency key.
   *
   * @return the key, empty when none is set
   */
  public String idempotencyKey() {
    return idempotencyKey;
  }

  /**
   * Returns the endpoints to deliver to.
   *
   * @return the endpoint ids, empty for every endpoint subscribed to the event type
   */
  public List<String> endpointIds() {
    return endpointIds;
  }
}
