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
    Duration oldestPendingAge) {
}
