package dev.webhookd.client;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Selects deliveries, for {@link WebhookdClient#listDeliveries listDeliveries}, {@link
 * WebhookdClient#listDeadLetters listDeadLetters}, {@link WebhookdClient#replayMatching
 * replayMatching} and {@link WebhookdClient#redriveDeadLetters redriveDeadLetters}. Every
 * criterion is optional; those set must all match. Immutable: each {@code with} method returns a
 * copy.
 *
 * <pre>{@code
 * DeliveryFilter dead = DeliveryFilter.all()
 *     .withEndpointId("ep_billing")
 *     .withStates(List.of(DeliveryState.DEAD))
 *     .withStartTime(Instant.now().minus(Duration.ofDays(1)));
 * }</pre>
 */
public final class DeliveryFilter {
  private static final DeliveryFilter ALL = new DeliveryFilter(null, null, List.of(), "", List.of());

  private final Instant startTime;
  private final Instant endTime;
  private final List<String> eventTypes;
  private final String endpointId;
  private final List<DeliveryState> states;

  private DeliveryFilter(
      Instant startTime,
      Instant endTime,
      List<String> eventTypes,
      String endpointId,
      List<DeliveryState> states) {
    this.startTime = startTime;
    this.endTime = endTime;
    this.eventTypes = eventTypes;
    this.endpointId = endpointId;
    this.states = states;
  }

  /**
   * Returns the filter that matches every delivery.
   *
   * @return the empty filter
   */
  public static DeliveryFilter all() {
    return ALL;
  }

  /**
   * Returns a copy that matches only deliveries of events created at or after this time.
   *
   * @param startTime the time, or null for no lower bound
   * @return the new filter
   */
  public DeliveryFilter withStartTime(Instant startTime) {
    return new DeliveryFilter(startTime, endTime, eventTypes, endpointId, states);
  }

  /**
   * Returns a copy that matches only deliveries of events created before this time.
   *
   * @param endTime the time, or null for no upper bound
   * @return the new filter
   */
  public DeliveryFilter withEndTime(Instant endTime) {
    return new DeliveryFilter(startTime, endTime, eventTypes, endpointId, states);
  }

  /**
   * Returns a copy that matches only events whose type matches one of these ({@code
   * "order.created"}, {@code "order.*"}, {@code "*"}).
   *
   * @param eventTypes the types and patterns; empty for any
   * @return the new filter
   */
  public DeliveryFilter withEventTypes(List<String> eventTypes) {
    return new DeliveryFilter(startTime, endTime, List.copyOf(eventTypes), endpointId, states);
  }

  /**
   * Returns a copy that matches only deliveries to this endpoint.
   *
   * @param endpointId the endpoint id; empty for any
   * @return the new filter
   */
  public DeliveryFilter withEndpointId(String endpointId) {
    Objects.requireNonNull(endpointId, "endpointId");
    return new DeliveryFilter(startTime, endTime, eventTypes, endpointId, states);
  }

  /**
   * Returns a copy that matches only deliveries in one of these states.
   *
   * @param states the states; empty for any
   * @return the new filter
   */
  public DeliveryFilter withStates(List<DeliveryState> states) {
    return new DeliveryFilter(startTime, endTime, eventTypes, endpointId, List.copyOf(states));
  }

  /**
   * Returns the lower bound of the events' creation time.
   *
   * @return the time, or null
   */
  public Instant startTime() {
    return startTime;
  }

  /**
   * Returns the upper bound (exclusive) of the events' creation time.
   *
   * @return the time, or null
   */
  public Instant endTime() {
    return endTime;
  }

  /**
   * Returns the event types and patterns.
   *
   * @return the types, empty for any
   */
  public List<String> eventTypes() {
    return eventTypes;
  }

  /**
   * Returns the endpoint.
   *
   * @return the endpoint id, empty for any
   */
  public String endpointId() {
    return endpointId;
  }

  /**
   * Returns the states.
   *
   * @return the states, empty for any
   */
  public List<DeliveryState> states() {
    return states;
  }
}
