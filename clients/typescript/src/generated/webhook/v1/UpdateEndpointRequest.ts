// Original file: ../../proto/webhook/v1/webhook.proto

import type { Endpoint as _webhook_v1_Endpoint, Endpoint__Output as _webhook_v1_Endpoint__Output } from '../../webhook/v1/Endpoint';
import type { FieldMask as _google_protobuf_FieldMask, FieldMask__Output as _google_protobuf_FieldMask__Output } from '../../google/protobuf/FieldMask';

export interface UpdateEndpointRequest {
  /**
   * The endpoint's id and the new values of the fields in update_mask.
   */
  'endpoint'?: (_webhook_v1_Endpoint | null);
  /**
   * Which fields to change: "url", "event_types", "headers" (replaces all
   * custom headers; an empty map removes them), "retry_policy" (unset goes
   * back to the config's), "filter" (unset removes it; applies to events
   * dispatched after). A new URL, new headers or a new schedule apply
   * to the next attempt of every pending delivery.
   */
  'updateMask'?: (_google_protobuf_FieldMask | null);
}

export interface UpdateEndpointRequest__Output {
  /**
   * The endpoint's id and the new values of the fields in update_mask.
   */
  'endpoint': (_webhook_v1_Endpoint__Output | null);
  /**
   * Which fields to change: "url", "event_types", "headers" (replaces all
   * custom headers; an empty map removes them), "retry_policy" (unset goes
   * back to the config's), "filter" (unset removes it; applies to events
   * dispatched after). A new URL, new headers or a new schedule apply
   * to the next attempt of every pending delivery.
   */
  'updateMask': (_google_protobuf_FieldMask__Output | null);
}
