package dev.webhookd.client;

import java.util.List;

/**
 * The event-type catalog ({@code event_catalog} in the server's config file), the result of
 * {@link WebhookdClient#listEventTypes listEventTypes}.
 *
 * @param eventTypes the types of the catalog, sorted by name; empty when the server has no catalog
 * @param unknownTypesAllowed whether {@code dispatch} accepts event types that are not in the catalog ({@code event_catalog.unknown_types}); when false, they are refused with {@code INVALID_ARGUMENT}, reason {@code UNKNOWN_EVENT_TYPE}
 */
public record EventCatalog(List<EventType> eventTypes, boolean unknownTypesAllowed) {
  /** Copies the list, so that the record is immutable. */
  public EventCatalog {
    eventTypes = List.copyOf(eventTypes);
  }
}
