// Original file: ../../proto/webhook/v1/webhook.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';

/**
 * An event as stored: never changed after Dispatch.
 */
export interface Event {
  'id'?: (string);
  'eventType'?: (string);
  /**
   * The canonical JSON exactly as signed and sent, as a string.
   */
  'payloadJson'?: (string);
  /**
   * Empty when Dispatch had no idempotency key.
   */
  'idempotencyKey'?: (string);
  'createdAt'?: (_google_protobuf_Timestamp | null);
  /**
   * Empty when Dispatch had no ordering key.
   */
  'orderingKey'?: (string);
}

/**
 * An event as stored: never changed after Dispatch.
 */
export interface Event__Output {
  'id': (string);
  'eventType': (string);
  /**
   * The canonical JSON exactly as signed and sent, as a string.
   */
  'payloadJson': (string);
  /**
   * Empty when Dispatch had no idempotency key.
   */
  'idempotencyKey': (string);
  'createdAt': (_google_protobuf_Timestamp__Output | null);
  /**
   * Empty when Dispatch had no ordering key.
   */
  'orderingKey': (string);
}
