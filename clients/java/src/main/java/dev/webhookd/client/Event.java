package dev.webhookd.client;

import java.time.Instant;

/**
 * An event as stored: never changed after its dispatch.
 *
 * @param id the event id ({@code evt_...})
 * @param eventType the event type, such as {@code order.created}
 * @param payloadJson the canonical JSON exactly as signed and sent
 * @param idempotencyKey the dispatch's idempotency key, empty when it had none
 * @param createdAt when it was dispatched
 * @param orderingKey the dispatch's ordering key ({@link DispatchOptions#withOrderingKey}), empty
 *     when it had none
 */
public record Event(
    String id,
    String eventType,
    String payloadJson,
    String idempotencyKey,
    Instant createdAt,
    String orderingKey) {
}
