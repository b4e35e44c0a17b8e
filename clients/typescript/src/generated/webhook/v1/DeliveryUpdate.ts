// Original file: ../../proto/webhook/v1/webhook.proto

import type { DeliveryState as _webhook_v1_DeliveryState, DeliveryState__Output as _webhook_v1_DeliveryState__Output } from '../../webhook/v1/DeliveryState';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { UpdateKind as _webhook_v1_UpdateKind, UpdateKind__Output as _webhook_v1_UpdateKind__Output } from '../../webhook/v1/UpdateKind';
import type { Long } from '@grpc/proto-loader';

export interface DeliveryUpdate {
  'deliveryId'?: (string);
  'eventId'?: (string);
  'endpointId'?: (string);
  'eventType'?: (string);
  /**
   * The state the delivery is in after this update.
   */
  'state'?: (_webhook_v1_DeliveryState);
  /**
   * The 1-based number of the attempt this update reports, 0 if none.
   */
  'attempt'?: (number);
  /**
   * The receiver's HTTP status, 0 when no response was received.
   */
  'httpStatus'?: (number);
  /**
   * Why the attempt failed ("timeout", "connect", "http_5xx", ...), empty on
   * success.
   */
  'errorKind'?: (string);
  /**
   * How long the attempt took, in milliseconds.
   */
  'latencyMs'?: (number | string | Long);
  /**
   * When the next attempt is due, for a delivery that will be retried.
   */
  'nextAttemptAt'?: (_google_protobuf_Timestamp | null);
  /**
   * When the change happened.
   */
  'occurredAt'?: (_google_protobuf_Timestamp | null);
  'kind'?: (_webhook_v1_UpdateKind);
  /**
   * Increases with every update of this webhookd instance; resume with
   * since_sequence.
   */
  'sequence'?: (number | string | Long);
  /**
   * With UPDATE_KIND_LAGGED: how many updates this stream missed.
   */
  'missed'?: (number | string | Long);
  /**
   * Free text for endpoint changes, such as the disable reason.
   */
  'detail'?: (string);
}

export interface DeliveryUpdate__Output {
  'deliveryId': (string);
  'eventId': (string);
  'endpointId': (string);
  'eventType': (string);
  /**
   * The state the delivery is in after this update.
   */
  'state': (_webhook_v1_DeliveryState__Output);
  /**
   * The 1-based number of the attempt this update reports, 0 if none.
   */
  'attempt': (number);
  /**
   * The receiver's HTTP status, 0 when no response was received.
   */
  'httpStatus': (number);
  /**
   * Why the attempt failed ("timeout", "connect", "http_5xx", ...), empty on
   * success.
   */
  'errorKind': (string);
  /**
   * How long the attempt took, in milliseconds.
   */
  'latencyMs': (string);
  /**
   * When the next attempt is due, for a delivery that will be retried.
   */
  'nextAttemptAt': (_google_protobuf_Timestamp__Output | null);
  /**
   * When the change happened.
   */
  'occurredAt': (_google_protobuf_Timestamp__Output | null);
  'kind': (_webhook_v1_UpdateKind__Output);
  /**
   * Increases with every update of this webhookd instance; resume with
   * since_sequence.
   */
  'sequence': (string);
  /**
   * With UPDATE_KIND_LAGGED: how many updates this stream missed.
   */
  'missed': (string);
  /**
   * Free text for endpoint changes, such as the disable reason.
   */
  'detail': (string);
}
