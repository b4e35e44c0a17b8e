// Original file: ../../proto/webhook/v1/webhook.proto

import type { DeliveryState as _webhook_v1_DeliveryState, DeliveryState__Output as _webhook_v1_DeliveryState__Output } from '../../webhook/v1/DeliveryState';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { Attempt as _webhook_v1_Attempt, Attempt__Output as _webhook_v1_Attempt__Output } from '../../webhook/v1/Attempt';

export interface Delivery {
  'id'?: (string);
  'eventId'?: (string);
  'endpointId'?: (string);
  'state'?: (_webhook_v1_DeliveryState);
  /**
   * Attempts made so far.
   */
  'attemptCount'?: (number);
  /**
   * When the next attempt is due (pending deliveries). Unset for a pending
   * delivery that waits for the one before it in its ordering key
   * (waiting_for_ordering_key is then true).
   */
  'nextAttemptAt'?: (_google_protobuf_Timestamp | null);
  'lastError'?: (string);
  /**
   * The delivery this one replays; empty for an original delivery.
   */
  'replayOf'?: (string);
  'createdAt'?: (_google_protobuf_Timestamp | null);
  'updatedAt'?: (_google_protobuf_Timestamp | null);
  /**
   * Filled by GetEvent only.
   */
  'attempts'?: (_webhook_v1_Attempt)[];
  'eventType'?: (string);
  /**
   * The ordering key it is delivered under: its event's; empty for a
   * replay, which is not ordered.
   */
  'orderingKey'?: (string);
  /**
   * Pending, and waiting until the delivery before it with the same
   * ordering key has succeeded or been given up.
   */
  'waitingForOrderingKey'?: (boolean);
}

export interface Delivery__Output {
  'id': (string);
  'eventId': (string);
  'endpointId': (string);
  'state': (_webhook_v1_DeliveryState__Output);
  /**
   * Attempts made so far.
   */
  'attemptCount': (number);
  /**
   * When the next attempt is due (pending deliveries). Unset for a pending
   * delivery that waits for the one before it in its ordering key
   * (waiting_for_ordering_key is then true).
   */
  'nextAttemptAt': (_google_protobuf_Timestamp__Output | null);
  'lastError': (string);
  /**
   * The delivery this one replays; empty for an original delivery.
   */
  'replayOf': (string);
  'createdAt': (_google_protobuf_Timestamp__Output | null);
  'updatedAt': (_google_protobuf_Timestamp__Output | null);
  /**
   * Filled by GetEvent only.
   */
  'attempts': (_webhook_v1_Attempt__Output)[];
  'eventType': (string);
  /**
   * The ordering key it is delivered under: its event's; empty for a
   * replay, which is not ordered.
   */
  'orderingKey': (string);
  /**
   * Pending, and waiting until the delivery before it with the same
   * ordering key has succeeded or been given up.
   */
  'waitingForOrderingKey': (boolean);
}
