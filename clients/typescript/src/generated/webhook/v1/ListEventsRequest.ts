// Original file: ../../proto/webhook/v1/webhook.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';

export interface ListEventsRequest {
  'startTime'?: (_google_protobuf_Timestamp | null);
  'endTime'?: (_google_protobuf_Timestamp | null);
  'eventTypes'?: (string)[];
  /**
   * Only events with a delivery to this endpoint.
   */
  'endpointId'?: (string);
  /**
   * At most this many (default 100, at most 1000).
   */
  'pageSize'?: (number);
  /**
   * From a previous response's next_page_token.
   */
  'pageToken'?: (string);
}

export interface ListEventsRequest__Output {
  'startTime': (_google_protobuf_Timestamp__Output | null);
  'endTime': (_google_protobuf_Timestamp__Output | null);
  'eventTypes': (string)[];
  /**
   * Only events with a delivery to this endpoint.
   */
  'endpointId': (string);
  /**
   * At most this many (default 100, at most 1000).
   */
  'pageSize': (number);
  /**
   * From a previous response's next_page_token.
   */
  'pageToken': (string);
}
