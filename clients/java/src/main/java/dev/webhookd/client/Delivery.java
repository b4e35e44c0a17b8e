package dev.webhookd.client;

import java.time.Instant;
import java.util.List;

/**
 * The delivery of one event to one endpoint.
 *
 * @param id the delivery id ({@code dlv_...})
 * @param eventId its event
 * @param endpointId its endpoint
 * @param eventType its event's type
 * @param state where it is in its lifecycle
 * @param attemptCount attempts made so far
 * @param nextAttemptAt when the next attempt is due (pending deliveries), or null (also while it
 *     is {@code waitingForOrderingKey})
 * @param lastError the error of the last failed attempt, empty if none
 * @param replayOf the delivery this one replays; empty for an original delivery
 * @param createdAt when it was created
 * @param updatedAt when it last changed
 * @param attempts its attempts, oldest first ({@link WebhookdClient#getEvent getEvent} only; empty elsewhere)
 * @param orderingKey the ordering key it is delivered under: its event's ({@link
 *     DispatchOptions#withOrderingKey}); empty when the event has none, and for a replay, which is
 *     not ordered
 * @param waitingForOrderingKey pending, and waiting until the delivery before it with the same
 *     ordering key, to the same endpoint, has succeeded or been given up; {@code nextAttemptAt} is
 *     then null
 */
public record Delivery(
    String id,
    String eventId,
    String endpointId,
    String eventType,
    DeliveryState state,
    int attemptCount,
    Instant nextAttemptAt,
    String lastError,
    String replayOf,
    Instant createdAt,
    Instant updatedAt,
    List<Attempt> attempts,
    String orderingKey,
    boolean waitingForOrderingKey) {
  /** Copies the collections, so that the record is immutable. */
  public Delivery {
    attempts = List.copyOf(attempts);
  }
}
