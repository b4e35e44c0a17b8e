// Original file: ../../proto/webhook/v1/webhook.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { DeliveryState as _webhook_v1_DeliveryState, DeliveryState__Output as _webhook_v1_DeliveryState__Output } from '../../webhook/v1/DeliveryState';

/**
 * Selects deliveries. Every field is optional; set fields must all match.
 */
export interface DeliveryFilter {
  /**
   * Only deliveries of events created at or after this time.
   */
  'startTime'?: (_google_protobuf_Timestamp | null);
  /**
   * Only deliveries of events created before this time.
   */
  'endTime'?: (_google_protobuf_Timestamp | null);
  /**
   * Only events whose type matches one of these ("order.created",
   * "order.*", "*").
   */
  'eventTypes'?: (string)[];
  /**
   * Only deliveries to this endpoint.
   */
  'endpointId'?: (string);
  /**
   * Only deliveries in one of these states.
   */
  'states'?: (_webhook_v1_DeliveryState)[];
}

/**
 * Selects deliveries. Every field is optional; set fields must all match.
 */
export interface DeliveryFilter__Output {
  /**
   * Only deliveries of events created at or after this time.
   */
  'startTime': (_google_protobuf_Timestamp__Output | null);
  /**
   * Only deliveries of events created before this time.
   */
  'endTime': (_google_protobuf_Timestamp__Output | null);
  /**
   * Only events whose type matches one of these ("order.created",
   * "order.*", "*").
   */
  'eventTypes': (string)[];
  /**
   * Only deliveries to this endpoint.
   */
  'endpointId': (string);
  /**
   * Only deliveries in one of these states.
   */
  'states': (_webhook_v1_DeliveryState__Output)[];
}
