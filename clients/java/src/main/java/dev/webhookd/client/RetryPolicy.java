package dev.webhookd.client;

import io.grpc.Status;
import java.time.Duration;
import java.util.Objects;

/**
 * How calls that failed with {@code UNAVAILABLE} or {@code DEADLINE_EXCEEDED} are retried: after a
 * delay drawn at random between 0 and {@code initialBackoff * multiplier^(n-1)} (capped at {@code
 * maxBackoff}) before the n-th retry ("full jitter"), at most {@code maxAttempts} attempts in all.
 *
 * <p>Only calls that are safe to repeat are retried: the reads, {@code updateEndpoint}, {@code
 * enableEndpoint}, {@code disableEndpoint}, and {@code dispatch} when it carries an idempotency key
 * (see {@link WebhookdClient.Builder#autoIdempotencyKey}). Streams are not: resume them with {@link
 * StreamFilter#withSinceSequence}.
 *
 * @param maxAttempts attempts in all, the first included; 1 disables retries
 * @param initialBackoff the cap of the first delay
 * @param maxBackoff the largest cap of a delay
 * @param multiplier how much the cap grows from one retry to the next, at least 1
 */
public record RetryPolicy(
    int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier) {
  /** The default: 4 attempts, 100 ms, doubling, at most 2 s. */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(4, Duration.ofMillis(100), Duration.ofSeconds(2), 2);

  /** No retries: one attempt. */
  public static final RetryPolicy NONE = DEFAULT.withMaxAttempts(1);

  /** Checks the values. */
  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
      throw new IllegalArgumentException("backoffs must not be negative");
    }
    if (!(multiplier >= 1)) {
      throw new IllegalArgumentException("multiplier must be at least 1");
    }
  }

  /**
   * Returns a copy with another number of attempts.
   *
   * @param maxAttempts attempts in all, the first included; 1 disables retries
   * @return the new policy
   */
  public RetryPolicy withMaxAttempts(int maxAttempts) {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier);
  }

  /**
   * Returns a copy with other delays.
   *
   * @param initialBackoff the cap of the first delay
   * @param maxBackoff the largest cap of a delay
   * @return the new policy
   */
  public RetryPolicy withBackoff(Duration initialBackoff, Duration maxBackoff) {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier);
  }

  /** Returns the delay before retry number {@code retry} (1 for the first), for random in [0, 1). */
  Duration backoff(int retry, double random) {
    double ceiling = initialBackoff.toNanos() * Math.pow(multiplier, retry - 1);
    ceiling = Math.min(ceiling, maxBackoff.toNanos());
    return Duration.ofNanos((long) (random * ceiling));
  }

  /** Tells whether a failure with this code may succeed when tried again. */
  static boolean retryable(Status.Code code) {
    return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
  }
}
