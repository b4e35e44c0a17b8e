// Original file: ../../proto/webhook/v1/webhook.proto

import type { Long } from '@grpc/proto-loader';

export interface RedriveDeadLettersResponse {
  /**
   * Deliveries moved back to pending (or that would be, with dry_run).
   */
  'count'?: (number | string | Long);
}

export interface RedriveDeadLettersResponse__Output {
  /**
   * Deliveries moved back to pending (or that would be, with dry_run).
   */
  'count': (string);
}
