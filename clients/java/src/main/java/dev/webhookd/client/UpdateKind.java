package dev.webhookd.client;

import java.util.Locale;

/**
 * What a {@link DeliveryUpdate} reports. Its {@link #toString() name} is the proto value's name without its prefix, in
 * lower case (for example {@code "created"}).
 */
public enum UpdateKind {
  /** A kind this SDK version does not know. */
  UNSPECIFIED,

  /** A delivery was created by a dispatch. */
  CREATED,

  /** An attempt started. */
  ATTEMPT_STARTED,

  /** The receiver answered 2xx. */
  SUCCEEDED,

  /** An attempt failed; another is scheduled at {@code nextAttemptAt}. */
  RETRY_SCHEDULED,

  /** Attempts exhausted: dead-lettered. */
  DEAD_LETTERED,

  /** Attempts exhausted, without a dead-letter queue. */
  FAILED,

  /** Held back: endpoint disabled or circuit open. */
  PAUSED,

  /** A replay or redrive created or revived the delivery. */
  REPLAYED,

  /** The delivery was cancelled (its endpoint was deleted). */
  CANCELLED,

  /** The endpoint's circuit opened (delivery fields empty). */
  CIRCUIT_OPENED,

  /** The endpoint's circuit closed (delivery fields empty). */
  CIRCUIT_CLOSED,

  /** The endpoint was disabled (delivery fields empty). */
  ENDPOINT_DISABLED,

  /** The endpoint was enabled (delivery fields empty). */
  ENDPOINT_ENABLED,

  /** Sent on idle streams every 15 s so that proxies keep them open. */
  HEARTBEAT,

  /** The stream fell behind and missed {@code missed} updates. */
  LAGGED;

  /**
   * Returns the name of this value, in lower case: {@code "created"}.
   *
   * @return the name
   */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Returns the value of a name, in lower or upper case.
   *
   * @param name a name such as {@code "created"}
   * @return the value
   * @throws IllegalArgumentException if no value has this name
   */
  public static UpdateKind fromName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
