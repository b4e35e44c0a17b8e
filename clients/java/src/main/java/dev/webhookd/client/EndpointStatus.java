package dev.webhookd.client;

import java.time.Duration;

/**
 * The health of one endpoint in {@link Metrics}.
 *
 * @param endpointId the endpoint
 * @param active false while it is disabled
 * @param disabledReason why it is disabled, when it is
 * @param circuitState {@code closed}, {@code open} or {@code half_open}
 * @param consecutiveFailures failed attempts in a row
 * @param attempted attempts in the window
 * @param succeeded successful attempts in the window
 * @param successRate succeeded / attempted, in [0, 1]
 * @param latency the latency of its attempts
 * @param pending deliveries waiting for an attempt
 * @param oldestPendingAge age of the oldest pending delivery
 * @param concurrencyLimit requests it may have in flight at once: its {@code max_concurrent} or the
 *     config's {@code max_concurrent_per_endpoint}
 * @param concurrencyWindow the adaptive window within {@code concurrencyLimit} on this instance:
 *     halved on 429, 503, timeouts and slow answers, grown back by one per window of successes;
 *     equal to {@code concurrencyLimit} when adaptation is off or the endpoint is healthy, 0 on an
 *     instance that delivers nothing
 */
public record EndpointStatus(
    String endpointId,
    boolean active,
    String disabledReason,
    String circuitState,
    int consecutiveFailures,
    long attempted,
    long succeeded,
    double successRate,
    LatencySummary latency,
    long pending,
    Duration oldestPendingAge,
    int concurrencyLimit,
    int concurrencyWindow) {
}
