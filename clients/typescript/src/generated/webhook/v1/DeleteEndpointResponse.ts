// Original file: ../../proto/webhook/v1/webhook.proto

import type { Long } from '@grpc/proto-loader';

export interface DeleteEndpointResponse {
  /**
   * Pending deliveries that were cancelled.
   */
  'cancelledDeliveries'?: (number | string | Long);
}

export interface DeleteEndpointResponse__Output {
  /**
   * Pending deliveries that were cancelled.
   */
  'cancelledDeliveries': (string);
}
