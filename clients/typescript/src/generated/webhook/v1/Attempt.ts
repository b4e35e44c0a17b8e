// Original file: ../../proto/webhook/v1/webhook.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { Long } from '@grpc/proto-loader';

/**
 * One HTTP attempt of a delivery: never changed once recorded.
 */
export interface Attempt {
  /**
   * 1 for the first attempt of the delivery.
   */
  'number'?: (number);
  'startedAt'?: (_google_protobuf_Timestamp | null);
  'durationMs'?: (number | string | Long);
  /**
   * The receiver's status; 0 when no response was received.
   */
  'httpStatus'?: (number);
  /**
   * Empty on success; timeout, connect, dns, tls, http_3xx, http_4xx,
   * http_5xx, io, ...
   */
  'errorKind'?: (string);
  'errorMessage'?: (string);
  /**
   * The first bytes of the response body.
   */
  'responseExcerpt'?: (string);
}

/**
 * One HTTP attempt of a delivery: never changed once recorded.
 */
export interface Attempt__Output {
  /**
   * 1 for the first attempt of the delivery.
   */
  'number': (number);
  'startedAt': (_google_protobuf_Timestamp__Output | null);
  'durationMs': (string);
  /**
   * The receiver's status; 0 when no response was received.
   */
  'httpStatus': (number);
  /**
   * Empty on success; timeout, connect, dns, tls, http_3xx, http_4xx,
   * http_5xx, io, ...
   */
  'errorKind': (string);
  'errorMessage': (string);
  /**
   * The first bytes of the response body.
   */
  'responseExcerpt': (string);
}
