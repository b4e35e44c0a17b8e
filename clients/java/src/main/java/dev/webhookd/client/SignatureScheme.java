package dev.webhookd.client;

import java.util.Locale;

/**
 * How the deliveries to an endpoint are signed. Its {@link #toString() name} is the proto value's name without its prefix, in
 * lower case (for example {@code "webhookd"}).
 */
public enum SignatureScheme {
  /** A scheme this SDK version does not know. */
  UNSPECIFIED,

  /** X-Webhook-Signature: check it with {@link Webhooks#verify}. */
  WEBHOOKD,

  /** Standard Webhooks: check it with {@link Webhooks#verifyStandard}. */
  STANDARD;

  /**
   * Returns the name of this value, in lower case: {@code "webhookd"}.
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
   * @param name a name such as {@code "webhookd"}
   * @return the value
   * @throws IllegalArgumentException if no value has this name
   */
  public static SignatureScheme fromName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
