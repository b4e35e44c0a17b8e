// Original file: ../../proto/webhook/v1/webhook.proto

import type { Long } from '@grpc/proto-loader';

export interface ReplayResponse {
  /**
   * The new deliveries (for one event; for a bulk replay, the first 1000).
   */
  'deliveryIds'?: (string)[];
  /**
   * How many deliveries the replay created, or would create (dry_run).
   */
  'count'?: (number | string | Long);
}

export interface ReplayResponse__Output {
  /**
   * The new deliveries (for one event; for a bulk replay, the first 1000).
   */
  'deliveryIds': (string)[];
  /**
   * How many deliveries the replay created, or would create (dry_run).
   */
  'count': (string);
}
