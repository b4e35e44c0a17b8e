// Original file: ../../proto/webhook/v1/webhook.proto

import type { DeliveryFilter as _webhook_v1_DeliveryFilter, DeliveryFilter__Output as _webhook_v1_DeliveryFilter__Output } from '../../webhook/v1/DeliveryFilter';

export interface ListDeliveriesRequest {
  'filter'?: (_webhook_v1_DeliveryFilter | null);
  'pageSize'?: (number);
  'pageToken'?: (string);
}

export interface ListDeliveriesRequest__Output {
  'filter': (_webhook_v1_DeliveryFilter__Output | null);
  'pageSize': (number);
  'pageToken': (string);
}
