// Original file: ../../proto/webhook/v1/webhook.proto

/**
 * The lifecycle state of a delivery.
 */
export const DeliveryState = {
  DELIVERY_STATE_UNSPECIFIED: 'DELIVERY_STATE_UNSPECIFIED',
  /**
   * Waiting for its next attempt (or paused while its endpoint is disabled
   * or its circuit is open).
   */
  DELIVERY_STATE_PENDING: 'DELIVERY_STATE_PENDING',
  /**
   * Claimed by a worker; an attempt is under way.
   */
  DELIVERY_STATE_IN_FLIGHT: 'DELIVERY_STATE_IN_FLIGHT',
  /**
   * The receiver answered 2xx.
   */
  DELIVERY_STATE_SUCCEEDED: 'DELIVERY_STATE_SUCCEEDED',
  /**
   * Every attempt failed and the dead-letter queue is disabled.
   */
  DELIVERY_STATE_FAILED: 'DELIVERY_STATE_FAILED',
  /**
   * Every attempt failed; the delivery is in the dead-letter queue.
   */
  DELIVERY_STATE_DEAD: 'DELIVERY_STATE_DEAD',
  /**
   * Its endpoint was deleted before it succeeded.
   */
  DELIVERY_STATE_CANCELLED: 'DELIVERY_STATE_CANCELLED',
} as const;

/**
 * The lifecycle state of a delivery.
 */
export type DeliveryState =
  | 'DELIVERY_STATE_UNSPECIFIED'
  | 0
  /**
   * Waiting for its next attempt (or paused while its endpoint is disabled
   * or its circuit is open).
   */
  | 'DELIVERY_STATE_PENDING'
  | 1
  /**
   * Claimed by a worker; an attempt is under way.
   */
  | 'DELIVERY_STATE_IN_FLIGHT'
  | 2
  /**
   * The receiver answered 2xx.
   */
  | 'DELIVERY_STATE_SUCCEEDED'
  | 3
  /**
   * Every attempt failed and the dead-letter queue is disabled.
   */
  | 'DELIVERY_STATE_FAILED'
  | 4
  /**
   * Every attempt failed; the delivery is in the dead-letter queue.
   */
  | 'DELIVERY_STATE_DEAD'
  | 5
  /**
   * Its endpoint was deleted before it succeeded.
   */
  | 'DELIVERY_STATE_CANCELLED'
  | 6

/**
 * The lifecycle state of a delivery.
 */
export type DeliveryState__Output = typeof DeliveryState[keyof typeof DeliveryState]
