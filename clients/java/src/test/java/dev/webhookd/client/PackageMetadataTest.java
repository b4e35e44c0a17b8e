package dev.webhookd.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The version and the LICENSE agree with the repository's, where they come from. */
class PackageMetadataTest {
  @Test
  void versionIsThatOfClientsVersion() throws IOException {
    Path file = Path.of("../VERSION");
    assumeTrue(Files.exists(file), "not in the webhookd repository");
    // WebhookdClient.VERSION is the pom's version, filtered into version.properties.
    assertEquals(
        Files.readString(file, StandardCharsets.UTF_8).trim(),
        WebhookdClient.VERSION,
        "pom.xml's <version> must equal clients/VERSION");
  }

  @Test
  void licenseIsTheRepositorys() throws IOException {
    Path root = Path.of("../../LICENSE");
    assumeTrue(Files.exists(root), "not in the webhookd repository");
    assertArrayEquals(
        Files.readAllBytes(root),
        Files.readAllBytes(Path.of("LICENSE")),
        "clients/java/LICENSE differs from the repository's LICENSE: copy it again");
  }
}
