// Original file: ../../proto/webhook/v1/webhook.proto

import type { LatencySummary as _webhook_v1_LatencySummary, LatencySummary__Output as _webhook_v1_LatencySummary__Output } from '../../webhook/v1/LatencySummary';
import type { Long } from '@grpc/proto-loader';

export interface EndpointStatus {
  'endpointId'?: (string);
  'active'?: (boolean);
  'disabledReason'?: (string);
  'circuitState'?: (string);
  'consecutiveFailures'?: (number);
  'attempted'?: (number | string | Long);
  'succeeded'?: (number | string | Long);
  'successRate'?: (number | string);
  'latency'?: (_webhook_v1_LatencySummary | null);
  /**
   * Deliveries waiting for an attempt.
   */
  'pending'?: (number | string | Long);
  /**
   * Age of the oldest pending delivery, in seconds.
   */
  'oldestPendingAgeSeconds'?: (number | string);
  /**
   * Requests it may have in flight at once: its max_concurrent or the
   * config's max_concurrent_per_endpoint.
   */
  'concurrencyLimit'?: (number);
  /**
   * The adaptive window within that limit on this instance: halved on
   * 429, 503, timeouts and slow answers, grown back by one per window
   * of successes. Equal to concurrency_limit when adaptation is off or
   * the endpoint is healthy; 0 on an instance that delivers nothing.
   */
  'concurrencyWindow'?: (number);
}

export interface EndpointStatus__Output {
  'endpointId': (string);
  'active': (boolean);
  'disabledReason': (string);
  'circuitState': (string);
  'consecutiveFailures': (number);
  'attempted': (string);
  'succeeded': (string);
  'successRate': (number);
  'latency': (_webhook_v1_LatencySummary__Output | null);
  /**
   * Deliveries waiting for an attempt.
   */
  'pending': (string);
  /**
   * Age of the oldest pending delivery, in seconds.
   */
  'oldestPendingAgeSeconds': (number);
  /**
   * Requests it may have in flight at once: its max_concurrent or the
   * config's max_concurrent_per_endpoint.
   */
  'concurrencyLimit': (number);
  /**
   * The adaptive window within that limit on this instance: halved on
   * 429, 503, timeouts and slow answers, grown back by one per window
   * of successes. Equal to concurrency_limit when adaptation is off or
   * the endpoint is healthy; 0 on an instance that delivers nothing.
   */
  'concurrencyWindow': (number);
}
