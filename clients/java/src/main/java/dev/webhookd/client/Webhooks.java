package dev.webhookd.client;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
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
 * <p>Endpoints on the <a href="https://www.standardwebhooks.com">Standard Webhooks</a> scheme send
 * {@value #STANDARD_ID_HEADER}, {@value #STANDARD_TIMESTAMP_HEADER} and {@value
 * #STANDARD_SIGNATURE_HEADER} instead: check those with {@link #verifyStandard(byte[], String,
 * String, String, List, List, Duration, Instant)}.
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

  /** Standard Webhooks: the header holding the message id. */
  public static final String STANDARD_ID_HEADER = "webhook-id";

  /** Standard Webhooks: the header holding the signing time, in unix seconds. */
  public static final String STANDARD_TIMESTAMP_HEADER = "webhook-timestamp";

  /** Standard Webhooks: the header holding space-separated {@code version,base64} signatures. */
  public static final String STANDARD_SIGNATURE_HEADER = "webhook-signature";

  /** How far the signing time may be from now, unless told otherwise: five minutes. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

  private static final String SCHEME_PREFIX = "sha256=";
  private static final String HMAC_ALGORITHM = "HmacSHA256";
  private static final HexFormat HEX = HexFormat.of();

  private static final String SECRET_PREFIX = "whsec_";
  private static final String PUBLIC_KEY_PREFIX = "whpk_";
  private static final String ED25519 = "Ed25519";
  private static final int ED25519_KEY_LENGTH = 32;
  /** The X.509 SubjectPublicKeyInfo DER header of a raw 32-byte Ed25519 public key. */
  private static final byte[] ED25519_X509_PREFIX = HEX.parseHex("302a300506032b6570032100");
  /** Padded standard base64: the only form accepted for secrets, keys and signatures. */
  private static final Pattern BASE64 =
      Pattern.compile("(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?");

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
    checkTolerance(timestamp, tolerance, now);

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

  /**
   * Verifies a Standard Webhooks delivery against the current time, with the {@link
   * #DEFAULT_TOLERANCE}.
   *
   * @param body the raw request body, exactly as received
   * @param id the {@value #STANDARD_ID_HEADER} header, or null if absent
   * @param timestamp the {@value #STANDARD_TIMESTAMP_HEADER} header, or null if absent
   * @param signature the {@value #STANDARD_SIGNATURE_HEADER} header, or null if absent
   * @param secrets {@code whsec_<base64>} secrets (several while rotating; the prefix is optional)
   * @param publicKeys {@code whpk_<base64>} Ed25519 public keys (the prefix is optional)
   * @throws WebhookVerificationException if the delivery must be rejected
   */
  public static void verifyStandard(
      byte[] body,
      String id,
      String timestamp,
      String signature,
      List<String> secrets,
      List<String> publicKeys)
      throws WebhookVerificationException {
    verifyStandard(
        body, id, timestamp, signature, secrets, publicKeys, DEFAULT_TOLERANCE, Instant.now());
  }

  /**
   * Verifies a Standard Webhooks delivery against the current time.
   *
   * @param body the raw request body, exactly as received
   * @param id the {@value #STANDARD_ID_HEADER} header, or null if absent
   * @param timestamp the {@value #STANDARD_TIMESTAMP_HEADER} header, or null if absent
   * @param signature the {@value #STANDARD_SIGNATURE_HEADER} header, or null if absent
   * @param secrets {@code whsec_<base64>} secrets (several while rotating; the prefix is optional)
   * @param publicKeys {@code whpk_<base64>} Ed25519 public keys (the prefix is optional)
   * @param tolerance how far the signing time may be from now, in the past or in the future
   * @throws WebhookVerificationException if the delivery must be rejected
   */
  public static void verifyStandard(
      byte[] body,
      String id,
      String timestamp,
      String signature,
      List<String> secrets,
      List<String> publicKeys,
      Duration tolerance)
      throws WebhookVerificationException {
    verifyStandard(body, id, timestamp, signature, secrets, publicKeys, tolerance, Instant.now());
  }

  /**
   * Verifies a delivery signed with the Standard Webhooks scheme against a given time.
   *
   * <p>The signature header holds space-separated {@code v1,<base64 HMAC-SHA256>} and {@code
   * v1a,<base64 Ed25519>} values; other versions and undecodable values never match. A {@code v1}
   * signature is the HMAC-SHA256, keyed with the base64-decoded secret, of {@code
   * "<id>.<timestamp>."} followed by the body; a {@code v1a} signature is the Ed25519 signature of
   * the same bytes. One signature matching any secret or public key is enough; HMACs are compared
   * in constant time.
   *
   * @param body the raw request body, exactly as received
   * @param id the {@value #STANDARD_ID_HEADER} header, or null if absent
   * @param timestamp the {@value #STANDARD_TIMESTAMP_HEADER} header, or null if absent
   * @param signature the {@value #STANDARD_SIGNATURE_HEADER} header, or null if absent
   * @param secrets {@code whsec_<base64>} secrets (several while rotating; the prefix is optional)
   * @param publicKeys {@code whpk_<base64>} Ed25519 public keys (the prefix is optional)
   * @param tolerance how far the signing time may be from {@code now}, in the past or in the
   *     future
   * @param now the time to check the signing time against
   * @throws WebhookVerificationException if the delivery must be rejected
   * @throws IllegalArgumentException if there is neither a secret nor a public key, if a secret or
   *     key is not base64 (or a key not 32 bytes), or if {@code tolerance} is negative
   */
  public static void verifyStandard(
      byte[] body,
      String id,
      String timestamp,
      String signature,
      List<String> secrets,
      List<String> publicKeys,
      Duration tolerance,
      Instant now)
      throws WebhookVerificationException {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(now, "now");
    if (secrets.isEmpty() && publicKeys.isEmpty()) {
      throw new IllegalArgumentException("at least one secret or public key is required");
    }
    if (tolerance.isNegative()) {
      throw new IllegalArgumentException("tolerance must not be negative");
    }
    List<byte[]> keys = new ArrayList<>();
    for (String secret : secrets) {
      keys.add(decodeSecret(secret));
    }
    List<PublicKey> ed25519Keys = new ArrayList<>();
    for (String publicKey : publicKeys) {
      ed25519Keys.add(decodePublicKey(publicKey));
    }

    if (id == null || id.isEmpty()) {
      throw new WebhookVerificationException(
          WebhookVerificationException.MALFORMED_HEADER, "missing header " + STANDARD_ID_HEADER);
    }
    long signedAt = parseTimestamp(required(timestamp, STANDARD_TIMESTAMP_HEADER));
    List<StandardSignature> signatures =
        parseStandardSignatures(required(signature, STANDARD_SIGNATURE_HEADER));
    checkTolerance(signedAt, tolerance, now);

    byte[] message = standardMessage(id, signedAt, body);
    for (byte[] key : keys) {
      byte[] expected = standardMac(key, message);
      for (StandardSignature given : signatures) {
        if (given.version().equals("v1") && MessageDigest.isEqual(expected, given.signature())) {
          return;
        }
      }
    }
    for (PublicKey key : ed25519Keys) {
      for (StandardSignature given : signatures) {
        if (given.version().equals("v1a") && verifyEd25519(key, message, given.signature())) {
          return;
        }
      }
    }
    throw new WebhookVerificationException(
        WebhookVerificationException.SIGNATURE_MISMATCH,
        "no signature matches the secrets or public keys");
  }

  /** The {@code v1,<base64>} signature of a body, through the code path of verifyStandard. */
  static String signStandardV1(String secret, String id, long timestamp, byte[] body) {
    byte[] mac = standardMac(decodeSecret(secret), standardMessage(id, timestamp, body));
    return "v1," + Base64.getEncoder().encodeToString(mac);
  }

  private static void checkTolerance(long timestamp, Duration tolerance, Instant now)
      throws WebhookVerificationException {
    long nowSeconds = now.getEpochSecond();
    // The distance as an unsigned number cannot overflow, whatever the two values.
    long distance = timestamp < nowSeconds ? nowSeconds - timestamp : timestamp - nowSeconds;
    if (Long.compareUnsigned(distance, tolerance.getSeconds()) > 0) {
      throw new WebhookVerificationException(
          WebhookVerificationException.TIMESTAMP_OUT_OF_TOLERANCE,
          "timestamp " + timestamp + " is more than " + tolerance.getSeconds()
              + " seconds from now (" + nowSeconds + ")");
    }
  }

  private static String required(String value, String name) throws WebhookVerificationException {
    if (value == null) {
      throw new WebhookVerificationException(
          WebhookVerificationException.MALFORMED_HEADER, "missing header " + name);
    }
    return value;
  }

  /** One {@code version,base64} value of a Standard Webhooks signature header, decoded. */
  private record StandardSignature(String version, byte[] signature) {}

  /**
   * Splits space-separated {@code version,base64} values. Values that are not base64 cannot match
   * anything and are dropped.
   */
  private static List<StandardSignature> parseStandardSignatures(String value)
      throws WebhookVerificationException {
    String stripped = value.strip();
    if (stripped.isEmpty()) {
      throw new WebhookVerificationException(
          WebhookVerificationException.MALFORMED_HEADER, "no signature given");
    }
    List<StandardSignature> signatures = new ArrayList<>();
    for (String part : stripped.split("\\s+")) {
      int comma = part.indexOf(',');
      if (comma < 0) {
        throw new WebhookVerificationException(
            WebhookVerificationException.MALFORMED_HEADER,
            "`" + part + "` is not <version>,<base64>");
      }
      byte[] decoded = decodeBase64(part.substring(comma + 1));
      if (decoded != null) {
        signatures.add(new StandardSignature(part.substring(0, comma), decoded));
      }
    }
    return signatures;
  }

  /** Decodes padded standard base64, or returns null. */
  private static byte[] decodeBase64(String text) {
    return BASE64.matcher(text).matches() ? Base64.getDecoder().decode(text) : null;
  }

  private static String withoutPrefix(String value, String prefix) {
    return value.startsWith(prefix) ? value.substring(prefix.length()) : value;
  }

  private static byte[] decodeSecret(String secret) {
    byte[] key = decodeBase64(withoutPrefix(secret, SECRET_PREFIX));
    if (key == null || key.length == 0) {
      throw new IllegalArgumentException(
          "a Standard Webhooks secret is whsec_ followed by non-empty base64");
    }
    return key;
  }

  private static PublicKey decodePublicKey(String publicKey) {
    byte[] raw = decodeBase64(withoutPrefix(publicKey, PUBLIC_KEY_PREFIX));
    if (raw == null || raw.length != ED25519_KEY_LENGTH) {
      throw new IllegalArgumentException(
          "a Standard Webhooks public key is whpk_ followed by the base64 of 32 bytes");
    }
    byte[] der = new byte[ED25519_X509_PREFIX.length + raw.length];
    System.arraycopy(ED25519_X509_PREFIX, 0, der, 0, ED25519_X509_PREFIX.length);
    System.arraycopy(raw, 0, der, ED25519_X509_PREFIX.length, raw.length);
    try {
      return KeyFactory.getInstance(ED25519).generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an Ed25519 public key", e);
    }
  }

  private static boolean verifyEd25519(PublicKey key, byte[] message, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance(ED25519);
      verifier.initVerify(key);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (SignatureException e) {
      return false; // not an Ed25519 signature at all
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      // Every JDK since 15 provides Ed25519, and the key came from its KeyFactory.
      throw new IllegalStateException(e);
    }
  }

  /** What the Standard Webhooks scheme signs: {@code "<id>.<timestamp>."} and the body. */
  private static byte[] standardMessage(String id, long timestamp, byte[] body) {
    byte[] prefix = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
    byte[] message = new byte[prefix.length + body.length];
    System.arraycopy(prefix, 0, message, 0, prefix.length);
    System.arraycopy(body, 0, message, prefix.length, body.length);
    return message;
  }

  private static byte[] standardMac(byte[] key, byte[] message) {
    try {
      Mac mac = Mac.getInstance(HMAC_ALGORITHM);
      mac.init(new SecretKeySpec(key, HMAC_ALGORITHM));
      return mac.doFinal(message);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      // Every JDK provides HmacSHA256, and the key is not empty.
      throw new IllegalStateException(e);
    }
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
