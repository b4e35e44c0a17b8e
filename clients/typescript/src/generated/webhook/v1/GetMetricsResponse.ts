// Original file: ../../proto/webhook/v1/webhook.proto

import type { EndpointStatus as _webhook_v1_EndpointStatus, EndpointStatus__Output as _webhook_v1_EndpointStatus__Output } from '../../webhook/v1/EndpointStatus';
import type { Long } from '@grpc/proto-loader';

export interface GetMetricsResponse {
  /**
   * Attempts made in the window.
   */
  'attempted'?: (number | string | Long);
  /**
   * Attempts that got a 2xx.
   */
  'succeeded'?: (number | string | Long);
  /**
   * Attempts that failed.
   */
  'failed'?: (number | string | Long);
  /**
   * Deliveries dead-lettered in the window.
   */
  'deadLettered'?: (number | string | Long);
  /**
   * succeeded / attempted, in [0, 1]; 0 when nothing was attempted.
   */
  'successRate'?: (number | string);
  'latencyP50Ms'?: (number | string);
  'latencyP95Ms'?: (number | string);
  'latencyP99Ms'?: (number | string);
  /**
   * Failed attempts by error kind.
   */
  'failuresByErrorKind'?: ({[key: string]: number | string | Long});
  'latencyMaxMs'?: (number | string);
  /**
   * Failed attempts by HTTP status class ("4xx", "5xx", "none").
   */
  'failuresByStatusClass'?: ({[key: string]: number | string | Long});
  'endpoints'?: (_webhook_v1_EndpointStatus)[];
  'windowSeconds'?: (number);
  /**
   * The retry budget on this instance (webhook_engine.retry_budget): how
   * many attempts at once may be retries, how many are now, and how many
   * retries have had to wait for it since the instance started. 0 on an
   * instance that delivers nothing.
   */
  'retryBudgetSlots'?: (number);
  'retriesInFlight'?: (number);
  'retriesDeferred'?: (number | string | Long);
}

export interface GetMetricsResponse__Output {
  /**
   * Attempts made in the window.
   */
  'attempted': (string);
  /**
   * Attempts that got a 2xx.
   */
  'succeeded': (string);
  /**
   * Attempts that failed.
   */
  'failed': (string);
  /**
   * Deliveries dead-lettered in the window.
   */
  'deadLettered': (string);
  /**
   * succeeded / attempted, in [0, 1]; 0 when nothing was attempted.
   */
  'successRate': (number);
  'latencyP50Ms': (number);
  'latencyP95Ms': (number);
  'latencyP99Ms': (number);
  /**
   * Failed attempts by error kind.
   */
  'failuresByErrorKind': ({[key: string]: string});
  'latencyMaxMs': (number);
  /**
   * Failed attempts by HTTP status class ("4xx", "5xx", "none").
   */
  'failuresByStatusClass': ({[key: string]: string});
  'endpoints': (_webhook_v1_EndpointStatus__Output)[];
  'windowSeconds': (number);
  /**
   * The retry budget on this instance (webhook_engine.retry_budget): how
   * many attempts at once may be retries, how many are now, and how many
   * retries have had to wait for it since the instance started. 0 on an
   * instance that delivers nothing.
   */
  'retryBudgetSlots': (number);
  'retriesInFlight': (number);
  'retriesDeferred': (string);
}
