// Original file: ../../proto/webhook/v1/webhook.proto


export interface DispatchResponse {
  /**
   * The event id ("evt_..."), sent to receivers as X-Webhook-Id. It is the
   * same across retries and replays, so receivers deduplicate by it.
   */
  'eventId'?: (string);
  /**
   * One delivery per endpoint the event was routed to ("dlv_...").
   */
  'deliveryIds'?: (string)[];
  /**
   * True when the idempotency key was seen before: event_id and
   * delivery_ids are those of the original event, and nothing new is sent.
   */
  'duplicate'?: (boolean);
}

export interface DispatchResponse__Output {
  /**
   * The event id ("evt_..."), sent to receivers as X-Webhook-Id. It is the
   * same across retries and replays, so receivers deduplicate by it.
   */
  'eventId': (string);
  /**
   * One delivery per endpoint the event was routed to ("dlv_...").
   */
  'deliveryIds': (string)[];
  /**
   * True when the idempotency key was seen before: event_id and
   * delivery_ids are those of the original event, and nothing new is sent.
   */
  'duplicate': (boolean);
}
