package dev.webhookd.client;

import java.util.List;

/**
 * The outcome of a {@link WebhookdClient#dispatch dispatch}.
 *
 * @param eventId the event id ({@code evt_...}), sent to receivers as {@value Webhooks#ID_HEADER}
 * @param deliveryIds one delivery per endpoint the event was routed to ({@code dlv_...})
 * @param duplicate true when the idempotency key was seen before: the ids are those of the original event, and nothing new is sent
 */
public record DispatchResult(
    String eventId,
    List<String> deliveryIds,
    boolean duplicate) {
  /** Copies the collections, so that the record is immutable. */
  public DispatchResult {
    deliveryIds = List.copyOf(deliveryIds);
  }
}
