package dev.webhookd.client;

import java.util.Locale;

/**
 * The lifecycle state of a delivery. Its {@link #toString() name} is the proto value's name without its prefix, in
 * lower case (for example {@code "pending"}).
 */
public enum DeliveryState {
  /** No state: an endpoint update, or a state this SDK version does not know. */
  UNSPECIFIED,

  /** Waiting for its next attempt (or paused while its endpoint is disabled or its circuit is open). */
  PENDING,

  /** An attempt is under way. */
  IN_FLIGHT,

  /** The receiver answered 2xx. */
  SUCCEEDED,

  /** Every attempt failed and the dead-letter queue is disabled. */
  FAILED,

  /** Every attempt failed; the delivery is in the dead-letter queue. */
  DEAD,

  /** Its endpoint was deleted before it succeeded. */
  CANCELLED;

  /**
   * Returns the name of this value, in lower case: {@code "pending"}.
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
   * @param name a name such as {@code "pending"}
   * @return the value
   * @throws IllegalArgumentException if no value has this name
   */
  public static DeliveryState fromName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
