package dev.webhookd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.webhookd.v1.ListApiKeysRequest;
import dev.webhookd.v1.WebhookServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Every call of the client against a webhookd of its own, started from $WEBHOOKD_BIN (or
 * target/debug/webhookd) with its own config and SQLite file: the results, the error type on real
 * errors, a dispatch retried across a restart of the server, and API keys (last: once a key exists,
 * every call needs one). The event-type catalog is tested against another webhookd, whose config
 * has one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveTest {
  /** One attempt per delivery, so that deliveries to a closed port die at once. */
  private static final String CONFIG =
      String.join(
          "\n",
          "webhook_engine:",
          "  signing_secret: live-test-signing-secret-0123456789",
          "  max_payload_bytes: 1024",
          "  default_timeout_seconds: 2",
          "retry_policy:",
          "  max_attempts: 1",
          "  initial_delay_seconds: 0.1",
          "security:",
          "  allowed_networks: [\"127.0.0.0/8\"]",
          "");
  /**
   * CONFIG with an event-type catalog that refuses unknown types: order.created with a JSON Schema,
   * order.noted without.
   */
  private static final String CATALOG_CONFIG =
      CONFIG
          + String.join(
              "\n",
              "event_catalog:",
              "  unknown_types: refuse",
              "  types:",
              "    - name: order.created",
              "      description: An order was placed",
              "      schema:",
              "        type: object",
              "        required: [order_id, total]",
              "        properties:",
              "          order_id: {type: string}",
              "          total: {type: number, minimum: 0}",
              "    - name: order.noted",
              "");
  private static final String SECRET = "live-endpoint-secret-0123456789abcd";

  private Path binary;
  private Path directory;
  private String address;
  private Process process;
  private WebhookdClient client;
  private final List<WebhookdClient> clients = new ArrayList<>();
  private final Instant started = Instant.now().minusSeconds(1);

  private static Path binary() {
    String configured = System.getenv("WEBHOOKD_BIN");
    Path path =
        configured != null && !configured.isEmpty()
            ? Path.of(configured)
            : Path.of("../../target/debug/webhookd");
    if (!Files.isExecutable(path)) {
      String harness = System.getenv("WEBHOOKD_ADDR");
      if (harness != null && !harness.isEmpty()) {
        fail("no webhookd binary at " + path + " (set WEBHOOKD_BIN)");
      }
      assumeTrue(false, "no webhookd binary at " + path + " (set WEBHOOKD_BIN)");
    }
    return path.toAbsolutePath();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** A loopback URL where nothing listens: deliveries to it fail with "connect" at once. */
  private static String closedUrl() throws IOException {
    return "http://127.0.0.1:" + freePort() + "/hook";
  }

  @BeforeAll
  void startWebhookd() throws Exception {
    binary = binary();
    directory = Files.createTempDirectory("webhookd-java-live");
    Files.writeString(directory.resolve("config.yaml"), CONFIG);
    address = "127.0.0.1:" + freePort();
    start();
    client = newClient(WebhookdClient.builder(address));
  }

  @AfterAll
  void stopWebhookd() throws Exception {
    for (WebhookdClient each : clients) {
      each.close();
    }
    stop();
    delete(directory);
  }

  private static void delete(Path directory) throws IOException {
    if (directory != null) {
      try (var files = Files.walk(directory)) {
        files.sorted((a, b) -> b.compareTo(a)).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  private WebhookdClient newClient(WebhookdClient.Builder builder) {
    WebhookdClient created = builder.build();
    clients.add(created);
    return created;
  }

  /** Runs webhookd on the fixed port and database, and waits until it listens. */
  private void start() throws Exception {
    process = launch(binary, directory, address);
  }

  /**
   * Runs webhookd with the config.yaml and the database of {@code directory}, on {@code address},
   * and waits until it listens.
   */
  private static Process launch(Path binary, Path directory, String address) throws Exception {
    Path log = directory.resolve("webhookd.log");
    Process process =
        new ProcessBuilder(
                binary.toString(),
                "serve",
                "--config",
                directory.resolve("config.yaml").toString(),
                "--database-url",
                "sqlite://" + directory.resolve("webhookd.db"),
                "--grpc-addr",
                address,
                "--http-addr",
                "127.0.0.1:0",
                "--log-format",
                "json")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        if (line.startsWith("{")
            && "webhookd listening".equals(message(JsonParser.parseString(line).getAsJsonObject()))) {
          return process;
        }
      }
      if (!process.isAlive()) {
        fail("webhookd exited at start:\n" + Files.readString(log));
      }
      Thread.sleep(20);
    }
    process.destroyForcibly().waitFor();
    return fail("webhookd did not start within 20 s:\n" + Files.readString(log));
  }

  private static String message(JsonObject line) {
    return line.has("message") ? line.get("message").getAsString() : "";
  }

  /** Stops webhookd with SIGTERM (SIGKILL after 10 s) and waits for it. */
  private void stop() throws InterruptedException {
    if (process == null) {
      return;
    }
    stop(process);
    process = null;
  }

  private static void stop(Process process) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  private static void eventually(String what, BooleanSupplier check) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!check.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail(what + ": not within 15 s");
      }
      Thread.sleep(50);
    }
  }

  private static WebhookdException assertError(
      Status.Code code, String reason, Runnable call) {
    WebhookdException e = assertThrows(WebhookdException.class, call::run);
    assertEquals(code, e.code(), e.toString());
    assertEquals(reason, e.reason(), e.toString());
    return e;
  }

  @Test
  @Order(1)
  void endpoints() throws IOException {
    Endpoint endpoint =
        client.createEndpoint(
            closedUrl(),
            List.of("live.*"),
            CreateEndpointOptions.defaults().withId("ep_live").withSecret(SECRET));
    assertEquals("ep_live", endpoint.id());
    assertTrue(endpoint.active());
    assertEquals("api", endpoint.origin());
    assertEquals("abcd", endpoint.secretHint());
    assertEquals(SignatureScheme.WEBHOOKD, endpoint.signatureScheme());
    assertEquals(List.of("live.*"), endpoint.eventTypes());
    assertTrue(endpoint.createdAt().isAfter(started), endpoint.toString());
    assertNull(endpoint.disabledAt());

    Endpoint standard =
        client.createEndpoint(
            closedUrl(),
            List.of("other.*"),
            CreateEndpointOptions.defaults()
                .withId("ep_standard")
                .withSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
                .withDisabled(true)
                .withSignatureScheme(SignatureScheme.STANDARD));
    assertEquals(SignatureScheme.STANDARD, standard.signatureScheme());
    assertFalse(standard.active());

    assertEquals(endpoint, client.getEndpoint("ep_live"));

    List<String> ids = new ArrayList<>();
    String token = "";
    for (int pages = 0; ; pages++) {
      Page<Endpoint> page = client.listEndpoints(1, token);
      assertTrue(page.items().size() <= 1 && pages < 10, "page " + pages + ": " + page);
      page.items().forEach(item -> ids.add(item.id()));
      if (!page.hasNextPage()) {
        break;
      }
      token = page.nextPageToken();
    }
    assertTrue(ids.containsAll(List.of("ep_live", "ep_standard")), ids.toString());

    String newUrl = closedUrl();
    Endpoint updated = client.updateEndpoint("ep_live", newUrl, null);
    assertEquals(newUrl, updated.url());
    assertEquals(List.of("live.*"), updated.eventTypes());
    updated = client.updateEndpoint("ep_live", null, List.of("live.*", "extra.event"));
    assertEquals(newUrl, updated.url());
    assertEquals(List.of("live.*", "extra.event"), updated.eventTypes());

    Endpoint disabled = client.disableEndpoint("ep_live", "maintenance window");
    assertFalse(disabled.active());
    assertEquals("maintenance window", disabled.disabledReason());
    assertNotNull(disabled.disabledAt());
    Endpoint enabled = client.enableEndpoint("ep_live");
    assertTrue(enabled.active());
    assertNull(enabled.disabledAt());

    RotatedSecret rotated = client.rotateEndpointSecret("ep_live", Duration.ofHours(1));
    String secret = rotated.newSecret();
    assertTrue(secret.length() >= 24);
    assertEquals(secret.substring(secret.length() - 4), rotated.endpoint().secretHint());
    Duration left = Duration.between(Instant.now(), rotated.endpoint().previousSecretExpiresAt());
    assertTrue(left.compareTo(Duration.ofMinutes(59)) > 0 && left.compareTo(Duration.ofMinutes(61)) < 0, left.toString());

    assertEquals(0, client.deleteEndpoint("ep_standard"));
    assertError(Status.Code.NOT_FOUND, "ENDPOINT_NOT_FOUND", () -> client.getEndpoint("ep_standard"));
  }

  @Test
  @Order(2)
  void customHeaders() throws IOException {
    Endpoint created =
        client.createEndpoint(
            closedUrl(),
            List.of("headers.*"),
            CreateEndpointOptions.defaults()
                .withId("ep_headers")
                .withHeaders(Map.of("Authorization", "Bearer t", "X-Tenant", "acme")));
    // Stored by lower-case name; credential values read back as ***.
    assertEquals(Map.of("authorization", "***", "x-tenant", "acme"), created.headers());
    assertEquals(created.headers(), client.getEndpoint("ep_headers").headers());

    Endpoint updated =
        client.updateEndpoint(
            "ep_headers", null, null, Map.of("X-Tenant", "globex", "X-Api-Key", "k"));
    assertEquals(Map.of("x-tenant", "globex", "x-api-key", "***"), updated.headers());
    // An update without headers keeps them.
    updated = client.updateEndpoint("ep_headers", null, List.of("headers.changed"));
    assertEquals(List.of("headers.changed"), updated.eventTypes());
    assertEquals(Map.of("x-tenant", "globex", "x-api-key", "***"), updated.headers());
    // An empty map removes them all.
    updated = client.updateEndpoint("ep_headers", null, null, Map.of());
    assertEquals(Map.of(), updated.headers());

    String url = closedUrl();
    WebhookdException e =
        assertError(
            Status.Code.INVALID_ARGUMENT,
            "INVALID_ARGUMENT",
            () ->
                client.createEndpoint(
                    url,
                    List.of("headers.*"),
                    CreateEndpointOptions.defaults()
                        .withId("ep_reserved")
                        .withHeader("X-Webhook-Signature", "forged")));
    assertTrue(e.getMessage().contains("X-Webhook-Signature"), e.getMessage());
    assertEquals(1, e.fieldViolations().size(), e.toString());
    assertEquals("headers.X-Webhook-Signature", e.fieldViolations().get(0).field());
    e =
        assertError(
            Status.Code.INVALID_ARGUMENT,
            "INVALID_ARGUMENT",
            () ->
                client.updateEndpoint(
                    "ep_headers", null, null, Map.of("Content-Type", "text/plain")));
    assertEquals(1, e.fieldViolations().size(), e.toString());
    assertEquals("endpoint.headers.Content-Type", e.fieldViolations().get(0).field());
    assertError(
        Status.Code.NOT_FOUND, "ENDPOINT_NOT_FOUND", () -> client.getEndpoint("ep_reserved"));

    assertEquals(0, client.deleteEndpoint("ep_headers"));
  }

  @Test
  @Order(3)
  void retrySchedule() throws IOException {
    RetrySchedule schedule = RetrySchedule.of(3, Duration.ofMillis(200), Duration.ofSeconds(1));
    Endpoint created =
        client.createEndpoint(
            closedUrl(),
            List.of("retry.*"),
            CreateEndpointOptions.defaults().withId("ep_retry").withRetryPolicy(schedule));
    assertEquals(schedule, created.retryPolicy());
    assertEquals(schedule, client.getEndpoint("ep_retry").retryPolicy());
    // An endpoint created without one follows the config's.
    assertNull(client.getEndpoint("ep_live").retryPolicy());

    // An update of other fields keeps it.
    Endpoint updated = client.updateEndpoint("ep_retry", null, List.of("retry.changed"));
    assertEquals(List.of("retry.changed"), updated.eventTypes());
    assertEquals(schedule, updated.retryPolicy());
    // A new one replaces it.
    updated =
        client.updateEndpoint(
            "ep_retry", EndpointUpdate.none().withRetryPolicy(RetrySchedule.of(5)));
    assertEquals(RetrySchedule.of(5), updated.retryPolicy());
    // Removing it goes back to the config's.
    updated = client.updateEndpoint("ep_retry", EndpointUpdate.none().withoutRetryPolicy());
    assertNull(updated.retryPolicy());
    assertNull(client.getEndpoint("ep_retry").retryPolicy());

    // Invalid schedules: INVALID_ARGUMENT naming the field.
    String url = closedUrl();
    WebhookdException e =
        assertThrows(
            WebhookdException.class,
            () ->
                client.createEndpoint(
                    url,
                    List.of("retry.*"),
                    CreateEndpointOptions.defaults()
                        .withId("ep_retry_invalid")
                        .withRetryPolicy(RetrySchedule.of(101))));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.code(), e.toString());
    assertEquals(1, e.fieldViolations().size(), e.toString());
    assertEquals("retry_policy.max_attempts", e.fieldViolations().get(0).field());
    assertError(
        Status.Code.NOT_FOUND, "ENDPOINT_NOT_FOUND", () -> client.getEndpoint("ep_retry_invalid"));
    e =
        assertThrows(
            WebhookdException.class,
            () ->
                client.updateEndpoint(
                    "ep_retry",
                    EndpointUpdate.none()
                        .withRetryPolicy(
                            RetrySchedule.of(3, Duration.ofSeconds(1), Duration.ofSeconds(-1)))));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.code(), e.toString());
    assertEquals(1, e.fieldViolations().size(), e.toString());
    assertEquals("endpoint.retry_policy.delays_seconds[1]", e.fieldViolations().get(0).field());
    assertNull(client.getEndpoint("ep_retry").retryPolicy());

    assertEquals(0, client.deleteEndpoint("ep_retry"));
  }

  /** The deliveries of an event to an endpoint, from listDeliveries. */
  private List<Delivery> deliveriesOf(String endpointId, String eventId) {
    return client.listDeliveries(DeliveryFilter.all().withEndpointId(endpointId), 1000, "").items()
        .stream()
        .filter(delivery -> delivery.eventId().equals(eventId))
        .toList();
  }

  @Test
  @Order(4)
  void payloadFilter() throws Exception {
    // Numbers come back as Doubles.
    Map<String, Object> filter = Map.of("amount", Map.of("$gte", 100.0));
    Endpoint created =
        client.createEndpoint(
            closedUrl(),
            List.of("filter.payment"),
            CreateEndpointOptions.defaults()
                .withId("ep_filter")
                .withFilter(Map.of("amount", Map.of("$gte", 100))));
    assertEquals(filter, created.filter());
    assertEquals(filter, client.getEndpoint("ep_filter").filter());
    // An endpoint created without one has none.
    assertNull(client.getEndpoint("ep_live").filter());

    // A payload that does not match: the event is stored, but not routed to the endpoint.
    DispatchResult small = client.dispatch("filter.payment", Map.of("amount", 50));
    assertEquals(List.of(), small.deliveryIds(), small.toString());
    assertEquals(List.of(), deliveriesOf("ep_filter", small.eventId()));
    assertEquals(List.of(), client.getEvent(small.eventId()).deliveries());
    // One that matches is.
    DispatchResult large = client.dispatch("filter.payment", Map.of("amount", 150));
    assertEquals(1, large.deliveryIds().size(), large.toString());
    assertEquals(
        large.deliveryIds(),
        deliveriesOf("ep_filter", large.eventId()).stream().map(Delivery::id).toList());

    // Once a delivery was attempted: the endpoint's concurrency, and the retry budget.
    eventually(
        "the matching delivery is attempted",
        () -> {
          List<Delivery> deliveries = client.getEvent(large.eventId()).deliveries();
          return deliveries.size() == 1
              && deliveries.get(0).attemptCount() == 1
              && deliveries.get(0).state() == DeliveryState.DEAD;
        });
    Metrics metrics = client.getMetrics();
    EndpointStatus status =
        metrics.endpoints().stream()
            .filter(endpoint -> endpoint.endpointId().equals("ep_filter"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no ep_filter in " + metrics));
    assertTrue(status.concurrencyLimit() >= 1, status.toString());
    assertTrue(
        status.concurrencyWindow() >= 1 && status.concurrencyWindow() <= status.concurrencyLimit(),
        status.toString());
    assertTrue(metrics.retryBudgetSlots() >= 1, metrics.toString());

    // A new filter replaces it; an update of other fields keeps it.
    Endpoint updated =
        client.updateEndpoint(
            "ep_filter", EndpointUpdate.none().withFilter(Map.of("amount", Map.of("$lt", 100))));
    assertEquals(Map.of("amount", Map.of("$lt", 100.0)), updated.filter());
    updated = client.updateEndpoint("ep_filter", EndpointUpdate.none().withFilter(filter));
    assertEquals(filter, updated.filter());
    updated =
        client.updateEndpoint("ep_filter", null, List.of("filter.payment", "filter.refund"));
    assertEquals(filter, updated.filter());
    // Removing it: every event of its types is routed to it again.
    updated = client.updateEndpoint("ep_filter", EndpointUpdate.none().withoutFilter());
    assertNull(updated.filter());
    assertNull(client.getEndpoint("ep_filter").filter());
    assertEquals(
        1, client.dispatch("filter.payment", Map.of("amount", 50)).deliveryIds().size());

    // Invalid filters: INVALID_ARGUMENT, with a field violation under the filter.
    Map<String, Object> invalid = Map.of("amount", Map.of("$regex", "x"));
    String url = closedUrl();
    WebhookdException e =
        assertThrows(
            WebhookdException.class,
            () ->
                client.createEndpoint(
                    url,
                    List.of("filter.payment"),
                    CreateEndpointOptions.defaults()
                        .withId("ep_filter_invalid")
                        .withFilter(invalid)));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.code(), e.toString());
    assertFalse(e.fieldViolations().isEmpty(), e.toString());
    assertTrue(e.fieldViolations().get(0).field().startsWith("filter"), e.toString());
    assertError(
        Status.Code.NOT_FOUND, "ENDPOINT_NOT_FOUND", () -> client.getEndpoint("ep_filter_invalid"));
    e =
        assertThrows(
            WebhookdException.class,
            () -> client.updateEndpoint("ep_filter", EndpointUpdate.none().withFilter(invalid)));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.code(), e.toString());
    assertFalse(e.fieldViolations().isEmpty(), e.toString());
    assertTrue(e.fieldViolations().get(0).field().startsWith("endpoint.filter"), e.toString());
    assertNull(client.getEndpoint("ep_filter").filter());

    assertTrue(client.deleteEndpoint("ep_filter") >= 0);
  }

  @Test
  @Order(5)
  void dispatchAndTheEventLog() throws InterruptedException {
    // Canonical JSON (sorted keys, no spaces), so that the stored text is byte for byte the same;
    // the numbers keep their exact text.
    String payload = "{\"big\":18446744073709551616,\"order_id\":\"ord_1\",\"total\":99.990}";
    DispatchOptions keyed = DispatchOptions.defaults().withIdempotencyKey("live-order-1");
    DispatchResult first = client.dispatchJson("live.order.created", payload, keyed);
    assertTrue(first.eventId().startsWith("evt_"), first.toString());
    assertEquals(1, first.deliveryIds().size());
    assertFalse(first.duplicate());
    DispatchResult again = client.dispatchJson("live.order.created", payload, keyed);
    assertEquals(new DispatchResult(first.eventId(), first.deliveryIds(), true), again);
    DispatchResult auto =
        client.dispatch(
            "live.order.updated",
            Map.of("order_id", "ord_1"),
            DispatchOptions.defaults().withEndpointIds(List.of("ep_live")));

    // The single attempt fails (nothing listens), so the delivery dies.
    EventDetail[] detail = new EventDetail[1];
    eventually(
        "the delivery is dead",
        () -> {
          detail[0] = client.getEvent(first.eventId());
          return detail[0].deliveries().size() == 1
              && detail[0].deliveries().get(0).state() == DeliveryState.DEAD;
        });
    Event event = detail[0].event();
    assertEquals(first.eventId(), event.id());
    assertEquals("live.order.created", event.eventType());
    assertEquals(payload, event.payloadJson());
    assertEquals("live-order-1", event.idempotencyKey());
    assertTrue(event.createdAt().isAfter(started));
    assertEquals("", event.orderingKey());
    Delivery delivery = detail[0].deliveries().get(0);
    assertEquals(first.deliveryIds().get(0), delivery.id());
    assertEquals("ep_live", delivery.endpointId());
    assertEquals(1, delivery.attemptCount());
    assertEquals(1, delivery.attempts().size());
    assertEquals(1, delivery.attempts().get(0).number());
    assertEquals("connect", delivery.attempts().get(0).errorKind());
    assertTrue(delivery.attempts().get(0).startedAt().isAfter(started));
    assertEquals("", delivery.orderingKey());
    assertFalse(delivery.waitingForOrderingKey());
    assertTrue(client.getEvent(auto.eventId()).event().idempotencyKey().startsWith("sdk-"));

    Page<Event> events =
        client.listEvents(
            ListEventsOptions.defaults()
                .withEventTypes(List.of("live.order.*"))
                .withStartTime(started)
                .withPageSize(10));
    assertEquals(
        List.of(first.eventId(), auto.eventId()),
        events.items().stream().map(Event::id).toList());
    Page<Event> onePage =
        client.listEvents(
            ListEventsOptions.defaults().withEventTypes(List.of("live.order.*")).withPageSize(1));
    assertEquals(1, onePage.items().size());
    assertTrue(onePage.hasNextPage());

    DeliveryFilter deadOnLive =
        DeliveryFilter.all().withEndpointId("ep_live").withStates(List.of(DeliveryState.DEAD));
    eventually("both deliveries are dead", () -> client.listDeliveries(deadOnLive).items().size() == 2);
    Page<Delivery> letters =
        client.listDeadLetters(
            DeliveryFilter.all()
                .withEndpointId("ep_live")
                .withEventTypes(List.of("live.order.created")),
            10,
            "");
    assertEquals(List.of(delivery.id()), letters.items().stream().map(Delivery::id).toList());
    assertEquals(DeliveryState.DEAD, letters.items().get(0).state());

    assertEquals(1, client.redriveDeadLetters(List.of(delivery.id()), null, true));
    assertEquals(1, client.redriveDeadLetters(List.of(delivery.id())));

    ReplayResult dry = client.replay(first.eventId(), List.of(), true);
    assertEquals(1, dry.count());
    assertTrue(dry.deliveryIds().isEmpty());
    ReplayResult replayed = client.replay(first.eventId());
    assertEquals(1, replayed.count());
    assertEquals(1, replayed.deliveryIds().size());
    ReplayResult matching =
        client.replayMatching(
            DeliveryFilter.all()
                .withEndpointId("ep_live")
                .withEventTypes(List.of("live.order.updated")),
            10,
            true);
    assertEquals(1, matching.count());

    Metrics metrics = client.getMetrics(Duration.ofMinutes(10), null);
    assertEquals(Duration.ofMinutes(10), metrics.window());
    assertTrue(metrics.attempted() >= 2 && metrics.failed() >= 2, metrics.toString());
    assertTrue(metrics.failuresByErrorKind().getOrDefault("connect", 0L) >= 2, metrics.toString());
    assertTrue(metrics.deadLettered() >= 2, metrics.toString());
    assertEquals(0.0, metrics.successRate());
    Metrics perEndpoint = client.getMetrics(Duration.ZERO, "ep_live");
    assertEquals(1, perEndpoint.endpoints().size());
    assertEquals("ep_live", perEndpoint.endpoints().get(0).endpointId());
    assertTrue(perEndpoint.endpoints().get(0).attempted() >= 2);

    // The history since the start of the test: the first event's delivery, up to its death.
    // The replay above made another delivery of that event; its updates may come first.
    List<UpdateKind> kinds = new ArrayList<>();
    StreamFilter filter =
        StreamFilter.all()
            .withEndpointIds(List.of("ep_live"))
            .withEventTypes(List.of("live.order.created"))
            .withSinceTime(started);
    try (DeliveryStream stream = client.streamDeliveries(filter, Duration.ofSeconds(15))) {
      for (DeliveryUpdate update : stream) {
        if (update.kind() == UpdateKind.HEARTBEAT) {
          continue;
        }
        assertEquals(first.eventId(), update.eventId(), update.toString());
        if (!update.deliveryId().equals(delivery.id())) {
          assertEquals(replayed.deliveryIds().get(0), update.deliveryId(), update.toString());
          continue;
        }
        assertTrue(update.occurredAt().isAfter(started), update.toString());
        kinds.add(update.kind());
        if (update.kind() == UpdateKind.DEAD_LETTERED) {
          assertEquals(DeliveryState.DEAD, update.state());
          assertEquals("connect", update.errorKind());
          break;
        }
      }
    }
    assertEquals(UpdateKind.DEAD_LETTERED, kinds.get(kinds.size() - 1), kinds.toString());

    assertTrue(client.deleteEndpoint("ep_live") >= 0);
  }

  @Test
  @Order(6)
  void errors() {
    WebhookdException e =
        assertError(
            Status.Code.INVALID_ARGUMENT,
            "INVALID_ARGUMENT",
            () -> client.dispatch("Not A Type", Map.of()));
    assertEquals(1, e.fieldViolations().size());
    assertEquals("event_type", e.fieldViolations().get(0).field());
    assertFalse(e.fieldViolations().get(0).description().isEmpty());

    e =
        assertError(
            Status.Code.RESOURCE_EXHAUSTED,
            "PAYLOAD_TOO_LARGE",
            () -> client.dispatch("live.big", Map.of("blob", "x".repeat(2048))));
    assertEquals("1024", e.metadata().get("limit"));
    assertFalse(e.getMessage().isEmpty());

    assertError(Status.Code.NOT_FOUND, "ENDPOINT_NOT_FOUND", () -> client.getEndpoint("ep_missing"));
    assertError(
        Status.Code.NOT_FOUND,
        "ENDPOINT_NOT_FOUND",
        () ->
            client.dispatch(
                "live.order.created",
                Map.of(),
                DispatchOptions.defaults().withEndpointIds(List.of("ep_missing"))));

    // Ordering keys: 255 characters at most.
    e =
        assertError(
            Status.Code.INVALID_ARGUMENT,
            "INVALID_ARGUMENT",
            () ->
                client.dispatch(
                    "live.ordering",
                    Map.of(),
                    DispatchOptions.defaults().withOrderingKey("k".repeat(256))));
    assertEquals(1, e.fieldViolations().size(), e.fieldViolations().toString());
    assertEquals("ordering_key", e.fieldViolations().get(0).field());
    assertFalse(e.fieldViolations().get(0).description().isEmpty());
    String longest = "k".repeat(255);
    DispatchResult accepted =
        client.dispatch(
            "live.ordering", Map.of(), DispatchOptions.defaults().withOrderingKey(longest));
    assertEquals(longest, client.getEvent(accepted.eventId()).event().orderingKey());
    Page<Event> events =
        client.listEvents(ListEventsOptions.defaults().withEventTypes(List.of("live.ordering")));
    assertEquals(List.of(accepted.eventId()), events.items().stream().map(Event::id).toList());
    assertEquals(longest, events.items().get(0).orderingKey());
  }

  /** Records the status of every Dispatch attempt. */
  private static ClientInterceptor recordDispatchAttempts(List<Status.Code> attempts) {
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(
          MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        ClientCall<Q, R> call = next.newCall(method, options);
        if (!method.equals(WebhookServiceGrpc.getDispatchMethod())) {
          return call;
        }
        return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
          @Override
          public void start(Listener<R> listener, Metadata headers) {
            super.start(
                new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                  @Override
                  public void onClose(Status status, Metadata trailers) {
                    attempts.add(status.getCode());
                    super.onClose(status, trailers);
                  }
                },
                headers);
          }
        };
      }
    };
  }

  @Test
  @Order(7)
  void dispatchIsRetriedAcrossARestart() throws Exception {
    List<Status.Code> attempts = new CopyOnWriteArrayList<>();
    // About 7 s of retries on average; the server needs well under 1 s to start.
    WebhookdClient retrying =
        newClient(
            WebhookdClient.builder(address)
                .interceptors(recordDispatchAttempts(attempts))
                .retryPolicy(
                    RetryPolicy.DEFAULT
                        .withMaxAttempts(10)
                        .withBackoff(Duration.ofMillis(250), Duration.ofSeconds(2))));
    retrying.listEndpoints();

    stop();
    CompletableFuture<DispatchResult> dispatched =
        CompletableFuture.supplyAsync(() -> retrying.dispatch("live.restart", Map.of("n", 1)));
    eventually("a first attempt failed", () -> !attempts.isEmpty());
    start();
    DispatchResult result = dispatched.get(60, TimeUnit.SECONDS);

    assertTrue(attempts.size() >= 2, attempts.toString());
    assertEquals(Status.Code.UNAVAILABLE, attempts.get(0), attempts.toString());
    assertEquals(Status.Code.OK, attempts.get(attempts.size() - 1), attempts.toString());
    Page<Event> events =
        client.listEvents(ListEventsOptions.defaults().withEventTypes(List.of("live.restart")));
    assertEquals(List.of(result.eventId()), events.items().stream().map(Event::id).toList());
  }

  @Test
  @Order(8)
  void noEventCatalog() {
    // Without event_catalog: no types, and every type is accepted.
    EventCatalog catalog = client.listEventTypes();
    assertEquals(List.of(), catalog.eventTypes());
    assertTrue(catalog.unknownTypesAllowed());
  }

  @Test
  @Order(9)
  void apiKeys() throws Exception {
    assertError(
        Status.Code.FAILED_PRECONDITION,
        "FIRST_KEY_NOT_ADMIN",
        () -> client.createApiKey("live-reader", ApiKeyRole.READ));

    CreatedApiKey admin = client.createApiKey("live-admin", ApiKeyRole.ADMIN);
    assertFalse(admin.key().isEmpty());
    assertEquals("live-admin", admin.apiKey().name());
    assertEquals(ApiKeyRole.ADMIN, admin.apiKey().role());
    assertEquals("api", admin.apiKey().origin());
    assertEquals(8, admin.apiKey().fingerprint().length());
    assertNull(admin.apiKey().revokedAt());
    eventually(
        "calls without a key are refused",
        () -> {
          try {
            client.listEndpoints();
            return false;
          } catch (WebhookdException e) {
            return e.code() == Status.Code.UNAUTHENTICATED;
          }
        });
    assertError(Status.Code.UNAUTHENTICATED, "API_KEY_MISSING", () -> client.listEndpoints());

    WebhookdClient keyed = newClient(WebhookdClient.builder(address).apiKey(admin.key()));
    CreatedApiKey reader = keyed.createApiKey("live-reader", ApiKeyRole.READ);
    assertEquals(ApiKeyRole.READ, reader.apiKey().role());
    // The raw stub sends the key too.
    assertEquals(2, keyed.raw().listApiKeys(ListApiKeysRequest.getDefaultInstance()).getApiKeysCount());

    WebhookdClient readOnly = newClient(WebhookdClient.builder(address).apiKey(reader.key()));
    readOnly.listEvents();
    assertError(
        Status.Code.PERMISSION_DENIED,
        "ROLE_NOT_ALLOWED",
        () -> {
          try {
            readOnly.createEndpoint(closedUrl(), List.of("x.*"));
          } catch (IOException e) {
            throw new RuntimeException(e);
          }
        });

    ApiKey revoked = keyed.revokeApiKey("live-reader");
    assertEquals("live-reader", revoked.name());
    assertNotNull(revoked.revokedAt());
    assertEquals(List.of("live-admin"), keyed.listApiKeys().stream().map(ApiKey::name).toList());
    assertEquals(2, keyed.listApiKeys(true).size());
    assertError(
        Status.Code.FAILED_PRECONDITION, "LAST_ADMIN_KEY", () -> keyed.revokeApiKey("live-admin"));
  }

  /**
   * Against a webhookd of its own whose config has an event-type catalog (CATALOG_CONFIG):
   * listEventTypes, and dispatch checked against the catalog's JSON Schemas and refusing unknown
   * types.
   */
  @Test
  @Order(10)
  void eventCatalog() throws Exception {
    Path catalogDirectory = Files.createTempDirectory("webhookd-java-live-catalog");
    Process catalogProcess = null;
    try {
      Files.writeString(catalogDirectory.resolve("config.yaml"), CATALOG_CONFIG);
      String catalogAddress = "127.0.0.1:" + freePort();
      catalogProcess = launch(binary, catalogDirectory, catalogAddress);
      WebhookdClient catalogClient = newClient(WebhookdClient.builder(catalogAddress));

      EventCatalog catalog = catalogClient.listEventTypes();
      assertFalse(catalog.unknownTypesAllowed(), catalog.toString());
      assertEquals(
          List.of("order.created", "order.noted"),
          catalog.eventTypes().stream().map(EventType::name).toList());
      EventType created = catalog.eventTypes().get(0);
      assertEquals("An order was placed", created.description());
      // The schema as native JSON values, as written in the config.
      assertEquals(
          Map.of(
              "type", "object",
              "required", List.of("order_id", "total"),
              "properties",
                  Map.of(
                      "order_id", Map.of("type", "string"),
                      "total", Map.of("type", "number", "minimum", 0.0))),
          created.schema());
      assertTrue(
          ((List<?>) created.schema().get("required")).containsAll(List.of("order_id", "total")),
          created.toString());
      EventType noted = catalog.eventTypes().get(1);
      assertEquals("", noted.description());
      assertNull(noted.schema());

      // Both values are wrong: one field violation each.
      WebhookdException e =
          assertError(
              Status.Code.INVALID_ARGUMENT,
              "SCHEMA_VIOLATION",
              () -> catalogClient.dispatch("order.created", Map.of("order_id", 7, "total", -1)));
      assertEquals(
          List.of("payload/order_id", "payload/total"),
          e.fieldViolations().stream().map(WebhookdException.FieldViolation::field).sorted().toList(),
          e.fieldViolations().toString());
      for (WebhookdException.FieldViolation violation : e.fieldViolations()) {
        assertFalse(violation.description().isEmpty(), violation.toString());
      }
      // A missing property is reported at the payload itself.
      e =
          assertError(
              Status.Code.INVALID_ARGUMENT,
              "SCHEMA_VIOLATION",
              () -> catalogClient.dispatch("order.created", Map.of("order_id", "o1")));
      assertEquals(1, e.fieldViolations().size(), e.fieldViolations().toString());
      assertEquals("payload/", e.fieldViolations().get(0).field());
      assertTrue(e.fieldViolations().get(0).description().contains("total"), e.toString());

      DispatchResult accepted =
          catalogClient.dispatch("order.created", Map.of("order_id", "o1", "total", 5));
      assertTrue(accepted.eventId().startsWith("evt_"), accepted.toString());
      // A type without a schema takes any JSON object.
      catalogClient.dispatch("order.noted", Map.of("anything", List.of(1, "two")));

      e =
          assertError(
              Status.Code.INVALID_ARGUMENT,
              "UNKNOWN_EVENT_TYPE",
              () -> catalogClient.dispatch("user.created", Map.of("user_id", "u1")));
      assertEquals(1, e.fieldViolations().size(), e.fieldViolations().toString());
      assertEquals("event_type", e.fieldViolations().get(0).field());

      // The refused payloads were not stored.
      Page<Event> events =
          catalogClient.listEvents(
              ListEventsOptions.defaults().withEventTypes(List.of("order.created", "user.created")));
      assertEquals(List.of(accepted.eventId()), events.items().stream().map(Event::id).toList());

      // Open to every role.
      CreatedApiKey admin = catalogClient.createApiKey("catalog-admin", ApiKeyRole.ADMIN);
      WebhookdClient keyed =
          newClient(WebhookdClient.builder(catalogAddress).apiKey(admin.key()));
      for (ApiKeyRole role : List.of(ApiKeyRole.DISPATCH, ApiKeyRole.READ)) {
        CreatedApiKey key = keyed.createApiKey("catalog-" + role, role);
        WebhookdClient withRole =
            newClient(WebhookdClient.builder(catalogAddress).apiKey(key.key()));
        assertEquals(2, withRole.listEventTypes().eventTypes().size(), role.toString());
      }
    } finally {
      if (catalogProcess != null) {
        stop(catalogProcess);
      }
      delete(catalogDirectory);
    }
  }
}
