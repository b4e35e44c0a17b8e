// Original file: ../../proto/webhook/v1/webhook.proto

/**
 * What happened.
 */
export const UpdateKind = {
  UPDATE_KIND_UNSPECIFIED: 'UPDATE_KIND_UNSPECIFIED',
  /**
   * A delivery was created by Dispatch.
   */
  UPDATE_KIND_CREATED: 'UPDATE_KIND_CREATED',
  /**
   * An attempt started.
   */
  UPDATE_KIND_ATTEMPT_STARTED: 'UPDATE_KIND_ATTEMPT_STARTED',
  /**
   * The receiver answered 2xx.
   */
  UPDATE_KIND_SUCCEEDED: 'UPDATE_KIND_SUCCEEDED',
  /**
   * An attempt failed; another is scheduled at next_attempt_at.
   */
  UPDATE_KIND_RETRY_SCHEDULED: 'UPDATE_KIND_RETRY_SCHEDULED',
  /**
   * Attempts exhausted: dead-lettered (or failed without a DLQ).
   */
  UPDATE_KIND_DEAD_LETTERED: 'UPDATE_KIND_DEAD_LETTERED',
  UPDATE_KIND_FAILED: 'UPDATE_KIND_FAILED',
  /**
   * Held back: endpoint disabled or circuit open.
   */
  UPDATE_KIND_PAUSED: 'UPDATE_KIND_PAUSED',
  /**
   * A replay or redrive created or revived the delivery.
   */
  UPDATE_KIND_REPLAYED: 'UPDATE_KIND_REPLAYED',
  UPDATE_KIND_CANCELLED: 'UPDATE_KIND_CANCELLED',
  /**
   * Endpoint state changes (delivery fields empty).
   */
  UPDATE_KIND_CIRCUIT_OPENED: 'UPDATE_KIND_CIRCUIT_OPENED',
  UPDATE_KIND_CIRCUIT_CLOSED: 'UPDATE_KIND_CIRCUIT_CLOSED',
  UPDATE_KIND_ENDPOINT_DISABLED: 'UPDATE_KIND_ENDPOINT_DISABLED',
  UPDATE_KIND_ENDPOINT_ENABLED: 'UPDATE_KIND_ENDPOINT_ENABLED',
  /**
   * Sent on idle streams every 15 s so proxies keep them open.
   */
  UPDATE_KIND_HEARTBEAT: 'UPDATE_KIND_HEARTBEAT',
  /**
   * This stream fell behind and missed `missed` updates.
   */
  UPDATE_KIND_LAGGED: 'UPDATE_KIND_LAGGED',
} as const;

/**
 * What happened.
 */
export type UpdateKind =
  | 'UPDATE_KIND_UNSPECIFIED'
  | 0
  /**
   * A delivery was created by Dispatch.
   */
  | 'UPDATE_KIND_CREATED'
  | 1
  /**
   * An attempt started.
   */
  | 'UPDATE_KIND_ATTEMPT_STARTED'
  | 2
  /**
   * The receiver answered 2xx.
   */
  | 'UPDATE_KIND_SUCCEEDED'
  | 3
  /**
   * An attempt failed; another is scheduled at next_attempt_at.
   */
  | 'UPDATE_KIND_RETRY_SCHEDULED'
  | 4
  /**
   * Attempts exhausted: dead-lettered (or failed without a DLQ).
   */
  | 'UPDATE_KIND_DEAD_LETTERED'
  | 5
  | 'UPDATE_KIND_FAILED'
  | 6
  /**
   * Held back: endpoint disabled or circuit open.
   */
  | 'UPDATE_KIND_PAUSED'
  | 7
  /**
   * A replay or redrive created or revived the delivery.
   */
  | 'UPDATE_KIND_REPLAYED'
  | 8
  | 'UPDATE_KIND_CANCELLED'
  | 9
  /**
   * Endpoint state changes (delivery fields empty).
   */
  | 'UPDATE_KIND_CIRCUIT_OPENED'
  | 10
  | 'UPDATE_KIND_CIRCUIT_CLOSED'
  | 11
  | 'UPDATE_KIND_ENDPOINT_DISABLED'
  | 12
  | 'UPDATE_KIND_ENDPOINT_ENABLED'
  | 13
  /**
   * Sent on idle streams every 15 s so proxies keep them open.
   */
  | 'UPDATE_KIND_HEARTBEAT'
  | 14
  /**
   * This stream fell behind and missed `missed` updates.
   */
  | 'UPDATE_KIND_LAGGED'
  | 15

/**
 * What happened.
 */
export type UpdateKind__Output = typeof UpdateKind[keyof typeof UpdateKind]
