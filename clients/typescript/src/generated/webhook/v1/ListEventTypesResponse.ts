// Original file: ../../proto/webhook/v1/webhook.proto

import type { EventTypeDefinition as _webhook_v1_EventTypeDefinition, EventTypeDefinition__Output as _webhook_v1_EventTypeDefinition__Output } from '../../webhook/v1/EventTypeDefinition';

export interface ListEventTypesResponse {
  /**
   * Sorted by name.
   */
  'eventTypes'?: (_webhook_v1_EventTypeDefinition)[];
  /**
   * Whether Dispatch accepts event types that are not in the catalog
   * (event_catalog.unknown_types); when false, they are INVALID_ARGUMENT
   * with reason UNKNOWN_EVENT_TYPE.
   */
  'unknownTypesAllowed'?: (boolean);
}

export interface ListEventTypesResponse__Output {
  /**
   * Sorted by name.
   */
  'eventTypes': (_webhook_v1_EventTypeDefinition__Output)[];
  /**
   * Whether Dispatch accepts event types that are not in the catalog
   * (event_catalog.unknown_types); when false, they are INVALID_ARGUMENT
   * with reason UNKNOWN_EVENT_TYPE.
   */
  'unknownTypesAllowed': (boolean);
}
