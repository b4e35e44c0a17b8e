package dev.webhookd.client;

import java.util.Locale;

/**
 * What an API key may do. Its {@link #toString() name} is the proto value's name without its prefix, in
 * lower case (for example {@code "dispatch"}).
 */
public enum ApiKeyRole {
  /** A role this SDK version does not know. */
  UNSPECIFIED,

  /** Dispatch only. */
  DISPATCH,

  /** Streams, metrics and the event log. */
  READ,

  /** Everything. */
  ADMIN;

  /**
   * Returns the name of this value, in lower case: {@code "dispatch"}.
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
   * @param name a name such as {@code "dispatch"}
   * @return the value
   * @throws IllegalArgumentException if no value has this name
   */
  public static ApiKeyRole fromName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
