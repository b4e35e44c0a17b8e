package dev.webhookd.client;

import java.util.Map;

/**
 * One event type of the catalog ({@link WebhookdClient#listEventTypes listEventTypes}).
 *
 * @param name an exact event type, such as {@code order.created}
 * @param description what it is; empty when the catalog gives none
 * @param schema the JSON Schema that every dispatched payload of this type must match ({@code INVALID_ARGUMENT}, reason {@code SCHEMA_VIOLATION}, otherwise) as JSON values: maps, lists, strings, {@link Double}s (every number), booleans and nulls (unmodifiable); null when the type has none, and any JSON object is accepted
 */
public record EventType(String name, String description, Map<String, Object> schema) {
  /**
   * Copies the schema, so that the record is immutable.
   *
   * @throws IllegalArgumentException if the schema holds a value that is not JSON
   */
  public EventType {
    schema = Convert.copyJsonObject(schema);
  }
}
