package dev.webhookd.client;

/**
 * Thrown by {@link Webhooks#verify} and {@link Webhooks#verifyStandard} when a delivery must be
 * rejected.
 *
 * <p>{@link #code()} tells why, as one of the constants of this class; the codes are the same in
 * every webhookd SDK.
 */
public final class WebhookVerificationException extends Exception {
  private static final long serialVersionUID = 1L;

  /** A signature or timestamp header is missing or not in the expected format. */
  public static final String MALFORMED_HEADER = "malformed_header";

  /** The timestamp is further from now than the tolerance, in the past or in the future. */
  public static final String TIMESTAMP_OUT_OF_TOLERANCE = "timestamp_out_of_tolerance";

  /** No signature of the header matches the body under any of the secrets. */
  public static final String SIGNATURE_MISMATCH = "signature_mismatch";

  /** Why verification failed: one of the constants of this class. */
  private final String code;

  WebhookVerificationException(String code, String message) {
    super(message);
    this.code = code;
  }

  /**
   * Returns why verification failed.
   *
   * @return {@link #MALFORMED_HEADER}, {@link #TIMESTAMP_OUT_OF_TOLERANCE} or {@link
   *     #SIGNATURE_MISMATCH}
   */
  public String code() {
    return code;
  }
}
