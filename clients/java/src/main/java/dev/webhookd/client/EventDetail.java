package dev.webhookd.client;

import java.util.List;

/**
 * An event with every delivery (replays included) and every attempt.
 *
 * @param event the event
 * @param deliveries its deliveries, each with its attempts
 */
public record EventDetail(
    Event event,
    List<Delivery> deliveries) {
  /** Copies the collections, so that the record is immutable. */
  public EventDetail {
    deliveries = List.copyOf(deliveries);
  }
}
