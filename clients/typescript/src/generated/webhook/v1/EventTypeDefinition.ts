// Original file: ../../proto/webhook/v1/webhook.proto

import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../google/protobuf/Struct';

/**
 * An event type of the catalog.
 */
export interface EventTypeDefinition {
  /**
   * An exact event type, such as "order.created".
   */
  'name'?: (string);
  'description'?: (string);
  /**
   * The JSON Schema every dispatched payload of this type must match
   * (INVALID_ARGUMENT, reason SCHEMA_VIOLATION, otherwise); unset: any
   * JSON object.
   */
  'schema'?: (_google_protobuf_Struct | null);
}

/**
 * An event type of the catalog.
 */
export interface EventTypeDefinition__Output {
  /**
   * An exact event type, such as "order.created".
   */
  'name': (string);
  'description': (string);
  /**
   * The JSON Schema every dispatched payload of this type must match
   * (INVALID_ARGUMENT, reason SCHEMA_VIOLATION, otherwise); unset: any
   * JSON object.
   */
  'schema': (_google_protobuf_Struct__Output | null);
}
