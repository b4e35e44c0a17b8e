// Original file: ../../proto/webhook/v1/webhook.proto

import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../google/protobuf/Struct';

export interface DispatchRequest {
  /**
   * The event type, lowercase dot-separated segments of [a-z0-9_], for
   * example "order.created". Endpoints subscribe to exact types or to
   * "prefix.*" patterns.
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
   * duplicate=true and delivers nothing new. At most 255 characters.
   */
  'idempotencyKey'?: (string);
  /**
   * Optional. Deliver only to these endpoints (whether or not they subscribe
   * to the event type). When empty, every active endpoint subscribed to the
   * event type receives the event.
   */
  'endpointIds'?: (string)[];
  /**
   * The event payload, a JSON object. Exactly one of the two forms is set.
   */
  'body'?: "payload"|"payloadJson";
}

export interface DispatchRequest__Output {
  /**
   * The event type, lowercase dot-separated segments of [a-z0-9_], for
   * example "order.created". Endpoints subscribe to exact types or to
   * "prefix.*" patterns.
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
   * duplicate=true and delivers nothing new. At most 255 characters.
   */
  'idempotencyKey': (string);
  /**
   * Optional. Deliver only to these endpoints (whether or not they subscribe
   * to the event type). When empty, every active endpoint subscribed to the
   * event type receives the event.
   */
  'endpointIds': (string)[];
  /**
   * The event payload, a JSON object. Exactly one of the two forms is set.
   */
  'body'?: "payload"|"payloadJson";
}
