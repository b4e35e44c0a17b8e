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
 *     .withOrderingKey("customer-42")
 *     .withEndpointIds(List.of("ep_billing"));
 * }</pre>
 */
public final class DispatchOptions {
  private static final DispatchOptions DEFAULTS = new DispatchOptions("", "", List.of());

  private final String idempotencyKey;
  private final String orderingKey;
  private final List<String> endpointIds;

  private DispatchOptions(String idempotencyKey, String orderingKey, List<String> endpointIds) {
    this.idempotencyKey = idempotencyKey;
    this.orderingKey = orderingKey;
    this.endpointIds = endpointIds;
  }

  /**
   * Returns the options of a plain dispatch: no idempotency key, no ordering key, every subscribed
   * endpoint.
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
   * @param idempotencyKey a producer-chosen key of at most 255 bytes (UTF-8); empty for none
   * @return the new options
   */
  public DispatchOptions withIdempotencyKey(String idempotencyKey) {
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    return new DispatchOptions(idempotencyKey, orderingKey, endpointIds);
  }

  /**
   * Returns a copy with an ordering key: the event's deliveries to an endpoint wait until those of
   * the events dispatched before it with the same key, to the same endpoint, have succeeded or
   * been given up (dead-lettered or failed), so that they arrive one at a time, in dispatch order.
   * Order holds between dispatches made one after the other, not between concurrent ones; replays
   * and redrives are not ordered. A retried dispatch sends the same key.
   *
   * @param orderingKey a producer-chosen key of at most 255 bytes (UTF-8); empty for none
   * @return the new options
   */
  public DispatchOptions withOrderingKey(String orderingKey) {
    Objects.requireNonNull(orderingKey, "orderingKey");
    return new DispatchOptions(idempotencyKey, orderingKey, endpointIds);
  }

  /**
   * Returns a copy that delivers only to the given endpoints, whether or not they subscribe to the
   * event type.
   *
   * @param endpointIds the endpoint ids; empty for every endpoint subscribed to the event type
   * @return the new options
   */
  public DispatchOptions withEndpointIds(List<String> endpointIds) {
    return new DispatchOptions(idempotencyKey, orderingKey, List.copyOf(endpointIds));
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
   * Returns the ordering key.
   *
   * @return the key, empty when none is set
   */
  public String orderingKey() {
    return orderingKey;
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
