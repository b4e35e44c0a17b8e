package dev.webhookd.client;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies webhookd deliveries.
 *
 * <p>Each delivery is an HTTP POST whose headers carry the event id ({@value #ID_HEADER}), the
 * time of signing in unix seconds ({@value #TIMESTAMP_HEADER}) and one or more signatures
 * ({@value #SIGNATURE_HEADER}: {@code sha256=<hex>}, comma-separated while a secret is being
 * rotated). A signature is the lowercase hex HMAC-SHA256, keyed with the UTF-8 bytes of the
 * endpoint secret, of {@code "<timestamp>."} followed by the raw body bytes.
 *
 * <p>Always verify the raw body bytes exactly as received, before parsing them.
 */
public final class Webhooks {
  /** The header holding the event id, the same across retries and replays. */
  public static final String ID_HEADER = "X-Webhook-Id";

  /** The header holding the signing time, in unix seconds. */
  public static final String TIMESTAMP_HEADER = "X-Webhook-Timestamp";

  /** The header holding the signatures. */
  public static final String SIGNATURE_HEADER = "X-Webhook-Signature";

  /** How far the signing time may be from now, unless told otherwise: five minutes. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

  private static final String SCHEME_PREFIX = "sha256=";
  private static final String HMAC_ALGORITHM = "HmacSHA256";
  private static final HexFormat HEX = HexFormat.of();

  private Webhooks() {}

  /**
   * Computes the signature header value of a body.
   *
   * @param secret the endpoint's signing secret
   * @param timestamp the signing time, in unix seconds
   * @param body the exact body bytes
   * @return {@code sha256=} followed by the lowercase hex HMAC-SHA256
   * @throws IllegalArgumentException if {@code secret} is empty
   */
  public static String sign(String secret, long timestamp, byte[] body) {
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(body, "body");
    return SCHEME_PREFIX + HEX.formatHex(mac(secret, timestamp, body));
  }

  /**
   * Verifies a delivery against the current time, with the {@link #DEFAULT_TOLERANCE}.
   *
   * @param body the raw request body, exactly as received
   * @param headers the request headers; names are matched case-insensitively
   * @param secrets the endpoint's secrets (several while rotating); one match is enough
   * @throws WebhookVerificationException if the delivery must be rejected
   */
  public static void verify(byte[] body, Map<String, String> headers, List<String> secrets)
      throws WebhookVerificationException {
    verify(body, headers, secrets, DEFAULT_TOLERANCE, Instant.now());
  }

  /**
   * Verifies a delivery against the current time.
   *
   * @param body the raw request body, exactly as received
   * @param headers the request headers; names are matched case-insensitively
   * @param secrets the endpoint's secrets (several while rotating); one match is enough
   * @param tolerance how far the signing time may be from now, in the past or in the future
   * @throws WebhookVerificationException if the delivery must be rejected
   */
  public static void verify(
      byte[] body, Map<String, String> headers, List<String> secrets, Duration tolerance)
      throws WebhookVerificationException {
    verify(body, headers, secrets, tolerance, Instant.now());
  }

  /**
   * Verifies a delivery against a given time.
   *
   * @param body the raw request body, exactly as received
   * @param headers the request headers; names are matched case-insensitively
   * @param secrets the endpoint's secrets (several while rotating); one match is enough
   * @param tolerance how far the signing time may be from {@code now}, in the past or in the
   *     future
   * @param now the time to check the signing time against
   * @throws WebhookVerificationException if the delivery must be rejected
   * @throws IllegalArgumentException if {@code secrets} is empty or holds an empty secret, or if
   *     {@code tolerance} is negative
   */
  public static void verify(
      byte[] body,
      Map<String, String> headers,
      List<String> secrets,
      Duration tolerance,
      Instant now)
      throws WebhookVerificationException {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(now, "now");
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("at least one secret is required");
    }
    if (tolerance.isNegative()) {
      throw new IllegalArgumentException("tolerance must not be negative");
    }

    long timestamp = parseTimestamp(header(headers, TIMESTAMP_HEADER));
    List<byte[]> signatures = parseSignatures(header(headers, SIGNATURE_HEADER));

    long nowSeconds = now.getEpochSecond();
    // The distance as an unsigned number cannot overflow, whatever the two values.
    long distance = timestamp < nowSeconds ? nowSeconds - timestamp : timestamp - nowSeconds;
    if (Long.compareUnsigned(distance, tolerance.getSeconds()) > 0) {
      throw new WebhookVerificationException(
          WebhookVerificationException.TIMESTAMP_OUT_OF_TOLERANCE,
          "timestamp " + timestamp + " is more than " + tolerance.getSeconds()
              + " seconds from now (" + nowSeconds + ")");
    }

    for (String secret : secrets) {
      byte[] expected = mac(secret, timestamp, body);
      for (byte[] signature : signatures) {
        if (MessageDigest.isEqual(expected, signature)) {
          return;
        }
      }
    }
    throw new WebhookVerificationException(
        WebhookVerificationException.SIGNATURE_MISMATCH, "no signature matches the body");
  }

  private static String header(Map<String, String> headers, String name)
      throws WebhookVerificationException {
    for (Map.Entry<String, String> entry : headers.entrySet()) {
      if (name.equalsIgnoreCase(entry.getKey()) && entry.getValue() != null) {
        return entry.getValue();
      }
    }
    throw new WebhookVerificationException(
        WebhookVerificationException.MALFORMED_HEADER, "missing header " + name);
  }

  private static long parseTimestamp(String value) throws WebhookVerificationException {
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new WebhookVerificationException(
          WebhookVerificationException.MALFORMED_HEADER,
          "timestamp `" + value + "` is not unix seconds");
    }
  }

  private static List<byte[]> parseSignatures(String value) throws WebhookVerificationException {
    List<byte[]> signatures = new ArrayList<>();
    for (String part : value.split(",")) {
      String signature = part.strip();
      if (signature.isEmpty()) {
        continue;
      }
      if (!signature.startsWith(SCHEME_PREFIX)) {
        throw new WebhookVerificationException(
            WebhookVerificationException.MALFORMED_HEADER,
            "`" + signature + "` does not start with " + SCHEME_PREFIX);
      }
      try {
        signatures.add(HEX.parseHex(signature.substring(SCHEME_PREFIX.length())));
      } catch (IllegalArgumentException e) {
        throw new WebhookVerificationException(
            WebhookVerificationException.MALFORMED_HEADER, "`" + signature + "` is not hex");
      }
    }
    if (signatures.isEmpty()) {
      throw new WebhookVerificationException(
          WebhookVerificationException.MALFORMED_HEADER, "no signature given");
    }
    return signatures;
  }

  private static byte[] mac(String secret, long timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance(HMAC_ALGORITHM);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC_ALGORITHM));
      mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      // Every JDK provides HmacSHA256, and an HMAC accepts keys of any length.
      throw new IllegalStateException(e);
    }
  }
}
