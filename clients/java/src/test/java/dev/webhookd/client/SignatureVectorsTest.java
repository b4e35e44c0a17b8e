package dev.webhookd.client;

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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Runs every case of the shared signature vectors (tests/vectors/signatures.json). */
class SignatureVectorsTest {
  private static JsonObject vectors() throws IOException {
    String configured = System.getenv("WEBHOOKD_VECTORS");
    Path path =
        configured != null && !configured.isEmpty()
            ? Path.of(configured)
            : Path.of("../../tests/vectors/signatures.json");
    return JsonParser.parseString(Files.readString(path, StandardCharsets.UTF_8)).getAsJsonObject();
  }

  private static Stream<JsonObject> cases(String kind) throws IOException {
    JsonArray array = vectors().getAsJsonArray(kind);
    assertFalse(array.isEmpty(), "no " + kind + " vectors");
    return StreamSupport.stream(array.spliterator(), false).map(JsonElement::getAsJsonObject);
  }

  @TestFactory
  Stream<DynamicTest> signVectors() throws IOException {
    return cases("sign")
        .map(
            v ->
                DynamicTest.dynamicTest(
                    v.get("name").getAsString(),
                    () ->
                        assertEquals(
                            v.get("expected_signature").getAsString(),
                            Webhooks.sign(
                                v.get("secret").getAsString(),
                                v.get("timestamp").getAsLong(),
                                v.get("body").getAsString().getBytes(StandardCharsets.UTF_8)))));
  }

  @TestFactory
  Stream<DynamicTest> verifyVectors() throws IOException {
    return cases("verify")
        .map(v -> DynamicTest.dynamicTest(v.get("name").getAsString(), () -> check(v)));
  }

  private static void check(JsonObject v) {
    byte[] body = v.get("body").getAsString().getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers =
        Map.of(
            Webhooks.TIMESTAMP_HEADER, v.get("timestamp_header").getAsString(),
            Webhooks.SIGNATURE_HEADER, v.get("signature_header").getAsString());
    List<String> secrets = List.of(v.get("secret").getAsString());
    Duration tolerance = Duration.ofSeconds(v.get("tolerance_seconds").getAsLong());
    Instant now = Instant.ofEpochSecond(v.get("now").getAsLong());

    if (v.get("valid").getAsBoolean()) {
      JsonElement error = v.get("error");
      assertTrue(error == null || error.isJsonNull(), "a valid case has no error");
      try {
        Webhooks.verify(body, headers, secrets, tolerance, now);
      } catch (WebhookVerificationException e) {
        throw new AssertionError("expected valid, got " + e.code() + ": " + e.getMessage(), e);
      }
    } else {
      WebhookVerificationException e =
          assertThrows(
              WebhookVerificationException.class,
              () -> Webhooks.verify(body, headers, secrets, tolerance, now));
      assertEquals(v.get("error").getAsString(), e.code(), e.getMessage());
    }
  }
}
