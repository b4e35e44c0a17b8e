package dev.webhookd.client;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Runs every case of the Standard Webhooks vectors (tests/vectors/standard_webhooks.json). */
class StandardWebhooksVectorsTest {
  /** The PKCS#8 DER header of a raw 32-byte Ed25519 private key (seed). */
  private static final byte[] ED25519_PKCS8_PREFIX =
      HexFormat.of().parseHex("302e020100300506032b657004220420");

  private static JsonObject vectors() throws IOException {
    String configured = System.getenv("WEBHOOKD_STANDARD_VECTORS");
    Path path =
        configured != null && !configured.isEmpty()
            ? Path.of(configured)
            : Path.of("../../tests/vectors/standard_webhooks.json");
    return JsonParser.parseString(Files.readString(path, StandardCharsets.UTF_8)).getAsJsonObject();
  }

  private static Stream<JsonObject> cases(String kind) throws IOException {
    JsonArray array = vectors().getAsJsonArray(kind);
    assertFalse(array.isEmpty(), "no " + kind + " vectors");
    return StreamSupport.stream(array.spliterator(), false).map(JsonElement::getAsJsonObject);
  }

  private static List<String> strings(JsonObject v, String name) {
    List<String> values = new ArrayList<>();
    JsonElement array = v.get(name);
    if (array != null && !array.isJsonNull()) {
      array.getAsJsonArray().forEach(e -> values.add(e.getAsString()));
    }
    return values;
  }

  private static byte[] body(JsonObject v) {
    return v.get("body").getAsString().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void vectorsDescribeTheStandardScheme() throws IOException {
    JsonObject vectors = vectors();
    assertEquals("standard", vectors.get("scheme").getAsString());
    JsonObject headers = vectors.getAsJsonObject("headers");
    assertEquals(Webhooks.STANDARD_ID_HEADER, headers.get("id").getAsString());
    assertEquals(Webhooks.STANDARD_TIMESTAMP_HEADER, headers.get("timestamp").getAsString());
    assertEquals(Webhooks.STANDARD_SIGNATURE_HEADER, headers.get("signature").getAsString());
  }

  @TestFactory
  Stream<DynamicTest> signVectors() throws IOException {
    return cases("sign")
        .map(v -> DynamicTest.dynamicTest(v.get("name").getAsString(), () -> checkSign(v)));
  }

  private static void checkSign(JsonObject v) {
    String secret = v.get("secret").getAsString();
    String id = v.get("id").getAsString();
    long timestamp = v.get("timestamp").getAsLong();
    String expected = v.get("expected_signature").getAsString();
    assertEquals(expected, Webhooks.signStandardV1(secret, id, timestamp, body(v)));
    String header = Long.toString(timestamp);
    Instant now = Instant.ofEpochSecond(timestamp);
    List<String> rotated = List.of("whsec_AAAA", secret.replaceFirst("^whsec_", ""));
    Duration tolerance = Webhooks.DEFAULT_TOLERANCE;
    assertDoesNotThrow(
        () ->
            Webhooks.verifyStandard(
                body(v), id, header, expected, rotated, List.of(), tolerance, now));
  }

  @TestFactory
  Stream<DynamicTest> signEd25519Vectors() throws IOException {
    return cases("sign_ed25519")
        .map(v -> DynamicTest.dynamicTest(v.get("name").getAsString(), () -> checkSignEd25519(v)));
  }

  private static void checkSignEd25519(JsonObject v) throws Exception {
    byte[] seed =
        Base64.getDecoder().decode(v.get("private_key").getAsString().replaceFirst("^whsk_", ""));
    byte[] der = new byte[ED25519_PKCS8_PREFIX.length + seed.length];
    System.arraycopy(ED25519_PKCS8_PREFIX, 0, der, 0, ED25519_PKCS8_PREFIX.length);
    System.arraycopy(seed, 0, der, ED25519_PKCS8_PREFIX.length, seed.length);
    PrivateKey key =
        KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));

    String id = v.get("id").getAsString();
    long timestamp = v.get("timestamp").getAsLong();
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(key);
    signer.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
    signer.update(body(v));
    String expected = v.get("expected_signature").getAsString();
    assertEquals(expected, "v1a," + Base64.getEncoder().encodeToString(signer.sign()));

    List<String> publicKeys = List.of(v.get("public_key").getAsString());
    Webhooks.verifyStandard(
        body(v),
        id,
        Long.toString(timestamp),
        expected,
        List.of(),
        publicKeys,
        Webhooks.DEFAULT_TOLERANCE,
        Instant.ofEpochSecond(timestamp));
  }

  @TestFactory
  Stream<DynamicTest> verifyVectors() throws IOException {
    return cases("verify")
        .map(v -> DynamicTest.dynamicTest(v.get("name").getAsString(), () -> checkVerify(v)));
  }

  private static void checkVerify(JsonObject v) {
    String id = v.get("id").getAsString();
    String timestamp = v.get("timestamp_header").getAsString();
    String signature = v.get("signature_header").getAsString();
    List<String> secrets = strings(v, "secrets");
    List<String> publicKeys = strings(v, "public_keys");
    Duration tolerance = Duration.ofSeconds(v.get("tolerance_seconds").getAsLong());
    Instant now = Instant.ofEpochSecond(v.get("now").getAsLong());

    if (v.get("valid").getAsBoolean()) {
      JsonElement error = v.get("error");
      assertTrue(error == null || error.isJsonNull(), "a valid case has no error");
      try {
        Webhooks.verifyStandard(
            body(v), id, timestamp, signature, secrets, publicKeys, tolerance, now);
      } catch (WebhookVerificationException e) {
        throw new AssertionError("expected valid, got " + e.code() + ": " + e.getMessage(), e);
      }
    } else {
      WebhookVerificationException e =
          assertThrows(
              WebhookVerificationException.class,
              () ->
                  Webhooks.verifyStandard(
                      body(v), id, timestamp, signature, secrets, publicKeys, tolerance, now));
      assertEquals(v.get("error").getAsString(), e.code(), e.getMessage());
    }
  }

  @Test
  void missingOrEmptyHeadersAreMalformed() throws IOException {
    JsonObject v = cases("sign").findFirst().orElseThrow();
    String id = v.get("id").getAsString();
    String timestamp = Long.toString(v.get("timestamp").getAsLong());
    String signature = v.get("expected_signature").getAsString();
    List<String> secrets = List.of(v.get("secret").getAsString());
    Instant now = Instant.ofEpochSecond(v.get("timestamp").getAsLong());
    Duration tolerance = Webhooks.DEFAULT_TOLERANCE;
    String[][] headers = {
      {null, timestamp, signature},
      {"", timestamp, signature},
      {id, null, signature},
      {id, timestamp, null},
      {id, timestamp, "  "},
    };
    for (String[] h : headers) {
      WebhookVerificationException e =
          assertThrows(
              WebhookVerificationException.class,
              () ->
                  Webhooks.verifyStandard(
                      body(v), h[0], h[1], h[2], secrets, List.of(), tolerance, now));
      assertEquals(WebhookVerificationException.MALFORMED_HEADER, e.code());
    }
    WebhookVerificationException e =
        assertThrows(
            WebhookVerificationException.class,
            () -> Webhooks.verifyStandard(body(v), id, timestamp, signature, secrets, List.of()));
    assertEquals(WebhookVerificationException.TIMESTAMP_OUT_OF_TOLERANCE, e.code());
  }

  @Test
  void invalidSecretsAndKeysAreProgrammingErrors() throws IOException {
    JsonObject v = cases("sign").findFirst().orElseThrow();
    String id = v.get("id").getAsString();
    String timestamp = Long.toString(v.get("timestamp").getAsLong());
    String signature = v.get("expected_signature").getAsString();
    assertThrows(
        IllegalArgumentException.class,
        () -> Webhooks.verifyStandard(body(v), id, timestamp, signature, List.of(), List.of()));
    for (String secret : List.of("whsec_", "whsec_not base64!", "abc")) {
      assertThrows(
          IllegalArgumentException.class,
          () ->
              Webhooks.verifyStandard(
                  body(v), id, timestamp, signature, List.of(secret), List.of()),
          secret);
    }
    for (String key : List.of("whpk_", "whpk_AAAA", "whpk_not base64!")) {
      assertThrows(
          IllegalArgumentException.class,
          () ->
              Webhooks.verifyStandard(body(v), id, timestamp, signature, List.of(), List.of(key)),
          key);
    }
  }
}
