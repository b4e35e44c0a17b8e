// Original file: ../../proto/webhook/v1/webhook.proto

import type { DeliveryState as _webhook_v1_DeliveryState, DeliveryState__Output as _webhook_v1_DeliveryState__Output } from '../../webhook/v1/DeliveryState';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { Long } from '@grpc/proto-loader';

export interface StreamDeliveriesRequest {
  /**
   * Optional. Only updates for these endpoints.
   */
  'endpointIds'?: (string)[];
  /**
   * Optional. Only updates for events whose type matches one of these
   * patterns ("order.created" or "order.*").
   */
  'eventTypes'?: (string)[];
  /**
   * Optional. Only updates that move a delivery into one of these states.
   */
  'states'?: (_webhook_v1_DeliveryState)[];
  /**
   * Optional. Replay history from the store before live updates: every
   * update with a sequence number above since_sequence...
   */
  'sinceSequence'?: (number | string | Long);
  /**
   * ...or every update at or after this time.
   */
  'sinceTime'?: (_google_protobuf_Timestamp | null);
}

export interface StreamDeliveriesRequest__Output {
  /**
   * Optional. Only updates for these endpoints.
   */
  'endpointIds': (string)[];
  /**
   * Optional. Only updates for events whose type matches one of these
   * patterns ("order.created" or "order.*").
   */
  'eventTypes': (string)[];
  /**
   * Optional. Only updates that move a delivery into one of these states.
   */
  'states': (_webhook_v1_DeliveryState__Output)[];
  /**
   * Optional. Replay history from the store before live updates: every
   * update with a sequence number above since_sequence...
   */
  'sinceSequence': (string);
  /**
   * ...or every update at or after this time.
   */
  'sinceTime': (_google_protobuf_Timestamp__Output | null);
}
