// Original file: ../../proto/webhook/v1/webhook.proto

import type { DeliveryFilter as _webhook_v1_DeliveryFilter, DeliveryFilter__Output as _webhook_v1_DeliveryFilter__Output } from '../../webhook/v1/DeliveryFilter';

export interface RedriveDeadLettersRequest {
  /**
   * These dead-lettered deliveries; or, when empty, every one matching
   * the filter.
   */
  'deliveryIds'?: (string)[];
  'filter'?: (_webhook_v1_DeliveryFilter | null);
  'dryRun'?: (boolean);
}

export interface RedriveDeadLettersRequest__Output {
  /**
   * These dead-lettered deliveries; or, when empty, every one matching
   * the filter.
   */
  'deliveryIds': (string)[];
  'filter': (_webhook_v1_DeliveryFilter__Output | null);
  'dryRun': (boolean);
}
