package dev.webhookd.client;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Behaviour of {@link Webhooks} beyond the shared vectors. */
class WebhooksTest {
  private static final byte[] BODY = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
  private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);
  private static final Duration TOLERANCE = Webhooks.DEFAULT_TOLERANCE;

  private static Map<String, String> headers(
      String timestampName, String signatureName, String signature) {
    return Map.of(timestampName, Long.toString(NOW.getEpochSecond()), signatureName, signature);
  }

  @Test
  void headerNamesAreCaseInsensitive() {
    String signature = Webhooks.sign("secret", NOW.getEpochSecond(), BODY);
    Map<String, String> headers = headers("x-webhook-timestamp", "X-WEBHOOK-SIGNATURE", signature);
    assertDoesNotThrow(() -> Webhooks.verify(BODY, headers, List.of("secret"), TOLERANCE, NOW));
  }

  @Test
  void anyOfSeveralSecretsMatches() {
    String signature = Webhooks.sign("new-secret", NOW.getEpochSecond(), BODY);
    Map<String, String> headers =
        headers(Webhooks.TIMESTAMP_HEADER, Webhooks.SIGNATURE_HEADER, signature);
    assertDoesNotThrow(
        () -> Webhooks.verify(BODY, headers, List.of("old-secret", "new-secret"), TOLERANCE, NOW));
  }

  @Test
  void missingHeaderIsMalformed() {
    Map<String, String> headers = Map.of(Webhooks.TIMESTAMP_HEADER, "1700000000");
    WebhookVerificationException e =
        assertThrows(
            WebhookVerificationException.class,
            () -> Webhooks.verify(BODY, headers, List.of("secret"), TOLERANCE, NOW));
    assertEquals(WebhookVerificationException.MALFORMED_HEADER, e.code());
  }

  @Test
  void extremeTimestampIsOutOfTolerance() {
    String signature = Webhooks.sign("secret", Long.MIN_VALUE, BODY);
    Map<String, String> headers =
        Map.of(
            Webhooks.TIMESTAMP_HEADER, Long.toString(Long.MIN_VALUE),
            Webhooks.SIGNATURE_HEADER, signature);
    WebhookVerificationException e =
        assertThrows(
            WebhookVerificationException.class,
            () -> Webhooks.verify(BODY, headers, List.of("secret"), TOLERANCE, NOW));
    assertEquals(WebhookVerificationException.TIMESTAMP_OUT_OF_TOLERANCE, e.code());
  }

  @Test
  void noSecretIsAProgrammingError() {
    Map<String, String> headers =
        headers(Webhooks.TIMESTAMP_HEADER, Webhooks.SIGNATURE_HEADER, "sha256=00");
    assertThrows(
        IllegalArgumentException.class,
        () -> Webhooks.verify(BODY, headers, List.of(), TOLERANCE, NOW));
  }
}
