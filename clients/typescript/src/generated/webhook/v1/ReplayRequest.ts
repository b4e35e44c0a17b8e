// Original file: ../../proto/webhook/v1/webhook.proto

import type { DeliveryFilter as _webhook_v1_DeliveryFilter, DeliveryFilter__Output as _webhook_v1_DeliveryFilter__Output } from '../../webhook/v1/DeliveryFilter';

export interface ReplayRequest {
  /**
   * One event to send again. Set either event_id or filter.
   */
  'eventId'?: (string);
  /**
   * With event_id: the endpoints to send it to, subscribed or not. When
   * empty, the endpoints of the event's original deliveries.
   */
  'endpointIds'?: (string)[];
  /**
   * Bulk replay: every delivery matching the filter is sent again to its
   * endpoint (for example, all dead-lettered deliveries of one endpoint in
   * a time range).
   */
  'filter'?: (_webhook_v1_DeliveryFilter | null);
  /**
   * Count what would be replayed, create nothing.
   */
  'dryRun'?: (boolean);
  /**
   * Optional. Spread the new deliveries so that at most this many per second
   * become due, to spare a recovering endpoint. 0 means no cap.
   */
  'maxPerSecond'?: (number | string);
}

export interface ReplayRequest__Output {
  /**
   * One event to send again. Set either event_id or filter.
   */
  'eventId': (string);
  /**
   * With event_id: the endpoints to send it to, subscribed or not. When
   * empty, the endpoints of the event's original deliveries.
   */
  'endpointIds': (string)[];
  /**
   * Bulk replay: every delivery matching the filter is sent again to its
   * endpoint (for example, all dead-lettered deliveries of one endpoint in
   * a time range).
   */
  'filter': (_webhook_v1_DeliveryFilter__Output | null);
  /**
   * Count what would be replayed, create nothing.
   */
  'dryRun': (boolean);
  /**
   * Optional. Spread the new deliveries so that at most this many per second
   * become due, to spare a recovering endpoint. 0 means no cap.
   */
  'maxPerSecond': (number);
}
