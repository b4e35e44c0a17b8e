package dev.webhookd.client;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Delivery statistics over a time window.
 *
 * @param window the window reported on
 * @param attempted attempts made in the window
 * @param succeeded attempts that got a 2xx
 * @param failed attempts that failed
 * @param deadLettered deliveries dead-lettered in the window
 * @param successRate succeeded / attempted, in [0, 1]; 0 when nothing was attempted
 * @param latency the latency of attempts
 * @param failuresByErrorKind failed attempts by error kind ({@code connect}, {@code timeout}, ...)
 * @param failuresByStatusClass failed attempts by HTTP status class ({@code 4xx}, {@code 5xx}, {@code none})
 * @param endpoints the health of each endpoint
 * @param retryBudgetSlots the retry budget on this instance ({@code webhook_engine.retry_budget}):
 *     how many attempts at once may be retries; 0 on an instance that delivers nothing
 * @param retriesInFlight retries in flight now, within the budget
 * @param retriesDeferred retries that waited for the budget in the window
 */
public record Metrics(
    Duration window,
    long attempted,
    long succeeded,
    long failed,
    long deadLettered,
    double successRate,
    LatencySummary latency,
    Map<String, Long> failuresByErrorKind,
    Map<String, Long> failuresByStatusClass,
    List<EndpointStatus> endpoints,
    int retryBudgetSlots,
    int retriesInFlight,
    long retriesDeferred) {
  /** Copies the collections, so that the record is immutable. */
  public Metrics {
    failuresByErrorKind = Map.copyOf(failuresByErrorKind);
    failuresByStatusClass = Map.copyOf(failuresByStatusClass);
    endpoints = List.copyOf(endpoints);
  }
}
