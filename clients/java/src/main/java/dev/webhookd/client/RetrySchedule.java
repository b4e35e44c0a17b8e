package dev.webhookd.client;

import java.time.Duration;
import java.util.List;

/**
 * An endpoint's own retry schedule, in place of the config's {@code retry_policy} for its
 * deliveries: how many attempts in all, and the waits before each retry. Immutable.
 *
 * <pre>{@code
 * RetrySchedule schedule = RetrySchedule.of(3, Duration.ofMillis(200), Duration.ofSeconds(1));
 * RetrySchedule attemptsOnly = RetrySchedule.of(10); // the config's exponential backoff
 * }</pre>
 *
 * <p>The server checks the ranges: an invalid schedule fails with {@code INVALID_ARGUMENT} and a
 * field violation on {@code retry_policy.max_attempts} or {@code retry_policy.delays_seconds[i]}
 * (prefixed with {@code endpoint.} from {@code updateEndpoint}).
 *
 * @param maxAttempts attempts in all, the first included: 1 to 100; 0 keeps the config's {@code
 *     retry_policy.max_attempts}
 * @param delays the waits before the first, second, ... retry, each from 0 to 24 hours, at most
 *     100; the last one repeats when {@code maxAttempts} asks for more. Empty for the config's
 *     exponential backoff. The config's {@code retry_policy.jitter} applies to these too, and
 *     webhookd keeps them to the millisecond (unmodifiable)
 */
public record RetrySchedule(int maxAttempts, List<Duration> delays) {
  /**
   * Checks the number of attempts and copies the delays, so that the record is immutable.
   *
   * @throws IllegalArgumentException if {@code maxAttempts} is negative
   * @throws NullPointerException if {@code delays} or one of them is null
   */
  public RetrySchedule {
    if (maxAttempts < 0) {
      throw new IllegalArgumentException(
          "maxAttempts must not be negative (0 keeps the config's)");
    }
    delays = List.copyOf(delays);
  }

  /**
   * Returns a schedule of these attempts and delays.
   *
   * @param maxAttempts attempts in all, the first included: 1 to 100; 0 keeps the config's
   * @param delays the waits before the first, second, ... retry; none for the config's
   *     exponential backoff
   * @return the schedule
   * @throws IllegalArgumentException if {@code maxAttempts} is negative
   */
  public static RetrySchedule of(int maxAttempts, Duration... delays) {
    return new RetrySchedule(maxAttempts, List.of(delays));
  }
}
