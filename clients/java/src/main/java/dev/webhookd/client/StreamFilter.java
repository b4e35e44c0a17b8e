package dev.webhookd.client;

import java.time.Instant;
import java.util.List;

/**
 * Selects the updates of {@link WebhookdClient#streamDeliveries streamDeliveries}. Every criterion
 * is optional; those set must all match. Immutable: each {@code with} method returns a copy.
 *
 * <pre>{@code
 * StreamFilter filter = StreamFilter.all()
 *     .withEndpointIds(List.of("ep_billing"))
 *     .withSinceSequence(lastSequenceSeen);   // resume after a disconnection
 * }</pre>
 */
public final class StreamFilter {
  private static final StreamFilter ALL = new StreamFilter(List.of(), List.of(), List.of(), 0, null);

  private final List<String> endpointIds;
  private final List<String> eventTypes;
  private final List<DeliveryState> states;
  private final long sinceSequence;
  private final Instant sinceTime;

  private StreamFilter(
      List<String> endpointIds,
      List<String> eventTypes,
      List<DeliveryState> states,
      long sinceSequence,
      Instant sinceTime) {
    this.endpointIds = endpointIds;
    this.eventTypes = eventTypes;
    this.states = states;
    this.sinceSequence = sinceSequence;
    this.sinceTime = sinceTime;
  }

  /**
   * Returns the filter that receives every live update, without history.
   *
   * @return the empty filter
   */
  public static StreamFilter all() {
    return ALL;
  }

  /**
   * Returns a copy that receives only updates for these endpoints.
   *
   * @param endpointIds the endpoint ids; empty for any
   * @return the new filter
   */
  public StreamFilter withEndpointIds(List<String> endpointIds) {
    return new StreamFilter(List.copyOf(endpointIds), eventTypes, states, sinceSequence, sinceTime);
  }

  /**
   * Returns a copy that receives only updates for events whose type matches one of these patterns
   * ({@code "order.created"} or {@code "order.*"}).
   *
   * @param eventTypes the types and patterns; empty for any
   * @return the new filter
   */
  public StreamFilter withEventTypes(List<String> eventTypes) {
    return new StreamFilter(endpointIds, List.copyOf(eventTypes), states, sinceSequence, sinceTime);
  }

  /**
   * Returns a copy that receives only updates that move a delivery into one of these states.
   *
   * @param states the states; empty for any
   * @return the new filter
   */
  public StreamFilter withStates(List<DeliveryState> states) {
    return new StreamFilter(endpointIds, eventTypes, List.copyOf(states), sinceSequence, sinceTime);
  }

  /**
   * Returns a copy that first replays the stored updates whose sequence number is above this one:
   * pass the last {@link DeliveryUpdate#sequence()} seen to resume a stream.
   *
   * @param sinceSequence the sequence number; 0 for no history
   * @return the new filter
   */
  public StreamFilter withSinceSequence(long sinceSequence) {
    return new StreamFilter(endpointIds, eventTypes, states, sinceSequence, sinceTime);
  }

  /**
   * Returns a copy that first replays the stored updates at or after this time.
   *
   * @param sinceTime the time, or null for no history
   * @return the new filter
   */
  public StreamFilter withSinceTime(Instant sinceTime) {
    return new StreamFilter(endpointIds, eventTypes, states, sinceSequence, sinceTime);
  }

  /**
   * Returns the endpoints.
   *
   * @return the endpoint ids, empty for any
   */
  public List<String> endpointIds() {
    return endpointIds;
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
   * Returns the states.
   *
   * @return the states, empty for any
   */
  public List<DeliveryState> states() {
    return states;
  }

  /**
   * Returns the sequence number after which history is replayed.
   *
   * @return the sequence number, 0 for none
   */
  public long sinceSequence() {
    return sinceSequence;
  }

  /**
   * Returns the time from which history is replayed.
   *
   * @return the time, or null
   */
  public Instant sinceTime() {
    return sinceTime;
  }
}
