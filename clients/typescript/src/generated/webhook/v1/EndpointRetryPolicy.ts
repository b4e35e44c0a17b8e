// Original file: ../../proto/webhook/v1/webhook.proto


/**
 * An endpoint's own retry schedule, in place of the config's retry_policy
 * for its deliveries.
 */
export interface EndpointRetryPolicy {
  /**
   * Attempts in all, the first included: 1 to 100. 0 keeps the config's
   * retry_policy.max_attempts.
   */
  'maxAttempts'?: (number);
  /**
   * The waits before the first, second, ... retry, in seconds (each 0 to
   * 86400, at most 100); the last one repeats when max_attempts asks for
   * more. Empty: the config's exponential backoff. The config's
   * retry_policy.jitter applies to these too.
   */
  'delaysSeconds'?: (number | string)[];
}

/**
 * An endpoint's own retry schedule, in place of the config's retry_policy
 * for its deliveries.
 */
export interface EndpointRetryPolicy__Output {
  /**
   * Attempts in all, the first included: 1 to 100. 0 keeps the config's
   * retry_policy.max_attempts.
   */
  'maxAttempts': (number);
  /**
   * The waits before the first, second, ... retry, in seconds (each 0 to
   * 86400, at most 100); the last one repeats when max_attempts asks for
   * more. Empty: the config's exponential backoff. The config's
   * retry_policy.jitter applies to these too.
   */
  'delaysSeconds': (number)[];
}
