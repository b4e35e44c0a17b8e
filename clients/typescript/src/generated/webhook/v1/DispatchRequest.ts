// Original file: ../../proto/webhook/v1/webhook.proto

import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../google/protobuf/Struct';

export interface DispatchRequest {
  /**
   * The event type, lowercase dot-separated segments of [a-z0-9_], for
   * example "order.created". Endpoints subscribe to exact types or to
   * "prefix.*" patterns. When the event-type catalog (ListEventTypes) gives
   * the type a JSON Schema, the payload must match it: INVALID_ARGUMENT,
   * reason SCHEMA_VIOLATION, with a field violation "payload<JSON pointer>"
   * per mismatch. A type not in the catalog is refused (reason
   * UNKNOWN_EVENT_TYPE) when the catalog refuses unknown types.
   */
  'eventType'?: (string);
  /**
   * The payload as a protobuf Struct: grpcurl users pass a plain JSON
   * object. Whole numbers are sent as integers (5, never 5.0). Struct
   * numbers are doubles, so integers above 2^53 lose precision: use
   * payload_json for those.
   */
  'payload'?: (_google_protobuf_Struct | null);
  /**
   * The payload as a string holding raw JSON. Numbers keep their exact
   * text (99.990 stays 99.990, 2^64 stays exact).
   */
  'payloadJson'?: (string);
  /**
   * Optional. A producer-chosen key that makes Dispatch idempotent: a second
   * Dispatch with the same key returns the original event id with
   * duplicate=true and delivers nothing new. At most 255 bytes (UTF-8).
   */
  'idempotencyKey'?: (string);
  /**
   * Optional. Deliver only to these endpoints (whether or not they subscribe
   * to the event type). When empty, every active endpoint subscribed to the
   * event type receives the event.
   */
  'endpointIds'?: (string)[];
  /**
   * Optional. Deliveries with the same ordering key to the same endpoint
   * are delivered one at a time, in Dispatch order: each waits until the
   * one before it has succeeded or has been given up (dead-lettered or
   * failed). A delivery that is being retried holds back only its own key,
   * never the endpoint. Order holds for Dispatch calls made one after the
   * other (concurrent calls have no order between them). At most 255 bytes
   * (UTF-8). Replays and redrives are not ordered.
   */
  'orderingKey'?: (string);
  /**
   * The event payload, a JSON object. Exactly one of the two forms is set.
   */
  'body'?: "payload"|"payloadJson";
}

export interface DispatchRequest__Output {
  /**
   * The event type, lowercase dot-separated segments of [a-z0-9_], for
   * example "order.created". Endpoints subscribe to exact types or to
   * "prefix.*" patterns. When the event-type catalog (ListEventTypes) gives
   * the type a JSON Schema, the payload must match it: INVALID_ARGUMENT,
   * reason SCHEMA_VIOLATION, with a field violation "payload<JSON pointer>"
   * per mismatch. A type not in the catalog is refused (reason
   * UNKNOWN_EVENT_TYPE) when the catalog refuses unknown types.
   */
  'eventType': (string);
  /**
   * The payload as a protobuf Struct: grpcurl users pass a plain JSON
   * object. Whole numbers are sent as integers (5, never 5.0). Struct
   * numbers are doubles, so integers above 2^53 lose precision: use
   * payload_json for those.
   */
  'payload'?: (_google_protobuf_Struct__Output | null);
  /**
   * The payload as a string holding raw JSON. Numbers keep their exact
   * text (99.990 stays 99.990, 2^64 stays exact).
   */
  'payloadJson'?: (string);
  /**
   * Optional. A producer-chosen key that makes Dispatch idempotent: a second
   * Dispatch with the same key returns the original event id with
   * duplicate=true and delivers nothing new. At most 255 bytes (UTF-8).
   */
  'idempotencyKey': (string);
  /**
   * Optional. Deliver only to these endpoints (whether or not they subscribe
   * to the event type). When empty, every active endpoint subscribed to the
   * event type receives the event.
   */
  'endpointIds': (string)[];
  /**
   * Optional. Deliveries with the same ordering key to the same endpoint
   * are delivered one at a time, in Dispatch order: each waits until the
   * one before it has succeeded or has been given up (dead-lettered or
   * failed). A delivery that is being retried holds back only its own key,
   * never the endpoint. Order holds for Dispatch calls made one after the
   * other (concurrent calls have no order between them). At most 255 bytes
   * (UTF-8). Replays and redrives are not ordered.
   */
  'orderingKey': (string);
  /**
   * The event payload, a JSON object. Exactly one of the two forms is set.
   */
  'body'?: "payload"|"payloadJson";
}
