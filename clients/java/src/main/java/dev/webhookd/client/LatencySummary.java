package dev.webhookd.client;

import java.time.Duration;

/**
 * Percentiles of the latency of attempts.
 *
 * @param p50 the median
 * @param p95 the 95th percentile
 * @param p99 the 99th percentile
 * @param max the slowest
 */
public record LatencySummary(
    Duration p50,
    Duration p95,
    Duration p99,
    Duration max) {
}
