package dev.webhookd.client;

import java.util.List;

/**
 * The outcome of {@link WebhookdClient#replay replay} and {@link WebhookdClient#replayMatching replayMatching}.
 *
 * @param deliveryIds the new deliveries (for a bulk replay, the first 1000)
 * @param count how many deliveries the replay created, or would create with a dry run
 */
public record ReplayResult(
    List<String> deliveryIds,
    long count) {
  /** Copies the collections, so that the record is immutable. */
  public ReplayResult {
    deliveryIds = List.copyOf(deliveryIds);
  }
}
