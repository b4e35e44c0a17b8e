/** When and after how long a failed call is sent again: exponential backoff with full jitter. */
import * as grpc from '@grpc/grpc-js';

/**
 * How often and how patiently retryable calls are sent again. Only
 * idempotent calls (reads, enable/disable/update of an endpoint) and
 * dispatches that carry an idempotency key are retried, and only after
 * `UNAVAILABLE` or `DEADLINE_EXCEEDED`. Before retry `n` (1 for the first)
 * the client waits a random time between 0 and
 * `min(maxBackoffMs, initialBackoffMs * multiplier ** (n - 1))`.
 * `maxAttempts: 1` disables retries.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included (default 4). */
  maxAttempts?: number;
  /** The upper bound of the first delay, in milliseconds (default 100). */
  initialBackoffMs?: number;
  /** No delay is longer, in milliseconds (default 2000). */
  maxBackoffMs?: number;
  /** Default 2. */
  multiplier?: number;
}

/** The defaults of {@link RetryPolicy}. */
export const DEFAULT_RETRY_POLICY: Readonly<Required<RetryPolicy>> = Object.freeze({
  maxAttempts: 4,
  initialBackoffMs: 100,
  maxBackoffMs: 2000,
  multiplier: 2,
});

/** Failures that a later attempt may not meet: the server was unreachable or too slow. */
export const RETRYABLE_CODES: ReadonlySet<grpc.status> = new Set([
  grpc.status.UNAVAILABLE,
  grpc.status.DEADLINE_EXCEEDED,
]);

/** A policy with its defaults filled in; throws a RangeError for impossible values. */
export function retryPolicy(policy: RetryPolicy | null | undefined): Required<RetryPolicy> {
  if (policy === null) {
    return { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 };
  }
  const full = { ...DEFAULT_RETRY_POLICY, ...policy };
  if (!Number.isInteger(full.maxAttempts) || full.maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be an integer of at least 1, got ${full.maxAttempts}`);
  }
  if (full.initialBackoffMs < 0 || full.maxBackoffMs < 0 || full.multiplier < 1) {
    throw new RangeError(`invalid backoff in ${JSON.stringify(policy)}`);
  }
  return full;
}

/**
 * The milliseconds to wait before sending again a call whose attempt
 * `attempt` (1-based) failed with `code`; `undefined` when it must not be
 * sent again. `random` returns a number in [0, 1), like `Math.random`.
 */
export function retryDelay(
  policy: Required<RetryPolicy>,
  attempt: number,
  code: grpc.status,
  retryable: boolean,
  random: () => number = Math.random,
): number | undefined {
  if (!retryable || !RETRYABLE_CODES.has(code) || attempt >= policy.maxAttempts) {
    return undefined;
  }
  const ceiling = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * policy.multiplier ** (attempt - 1));
  return random() * ceiling;
}
