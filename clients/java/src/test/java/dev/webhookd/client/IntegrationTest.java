package dev.webhookd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against a live webhookd, started by clients/test.sh: runs only when WEBHOOKD_ADDR is set.
 *
 * <p>A receiver on 127.0.0.1:$WEBHOOKD_RECEIVER_PORT (the URL of endpoint $WEBHOOKD_ENDPOINT_ID)
 * verifies every delivery with $WEBHOOKD_ENDPOINT_SECRET and answers 204 when it is valid, 401
 * otherwise; but it holds the first attempt of the ordering key test's first event, then answers
 * it 503.
 */
class IntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  /**
   * A delivery as the receiver saw it; {@code error} is null when its signature was valid, {@code
   * status} is the receiver's answer.
   */
  private record Received(String eventId, String body, String error, int status) {}

  /** The ordering key of {@link #orderingKeyDeliversInDispatchOrder}, new on every run. */
  private static final String ORDERING_KEY = "java-order-" + System.currentTimeMillis();

  private static final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  /** Counted down when the held attempt arrives. */
  private static final CountDownLatch held = new CountDownLatch(1);
  /** Counted down to let the held attempt answer 503. */
  private static final CountDownLatch release = new CountDownLatch(1);
  private static final AtomicBoolean holding = new AtomicBoolean();
  private static String endpointId;
  private static String secret;
  private static String eventType;
  private static ExecutorService handlers;
  private static HttpServer receiver;
  private static WebhookdClient client;

  @BeforeAll
  static void start() throws IOException {
    String address = System.getenv("WEBHOOKD_ADDR");
    assumeTrue(address != null && !address.isEmpty(), "WEBHOOKD_ADDR is not set");
    endpointId = System.getenv("WEBHOOKD_ENDPOINT_ID");
    secret = System.getenv("WEBHOOKD_ENDPOINT_SECRET");
    eventType = System.getenv("WEBHOOKD_EVENT_TYPE");
    int port = Integer.parseInt(System.getenv("WEBHOOKD_RECEIVER_PORT"));

    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    receiver.createContext("/", IntegrationTest::receive);
    // A thread per request: the held attempt must not hold back the others.
    handlers = Executors.newCachedThreadPool();
    receiver.setExecutor(handlers);
    receiver.start();
    client = WebhookdClient.builder(address).build();
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    release.countDown();
    if (receiver != null) {
      receiver.stop(0);
    }
    if (handlers != null) {
      handlers.shutdownNow();
    }
  }

  private static void receive(HttpExchange exchange) throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    Map<String, String> headers = new HashMap<>();
    exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.get(0)));
    String error = null;
    try {
      Webhooks.verify(body, headers, List.of(secret));
    } catch (WebhookVerificationException e) {
      error = e.code() + ": " + e.getMessage();
    }
    String text = new String(body, StandardCharsets.UTF_8);
    String eventId = exchange.getRequestHeaders().getFirst(Webhooks.ID_HEADER);
    if (error == null && isFirstOrdered(text) && holding.compareAndSet(false, true)) {
      // Held (4 s at most, within the config's 5 s timeout), then failed, so that it is retried.
      received.add(new Received(eventId, text, null, 503));
      held.countDown();
      try {
        release.await(4, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.sendResponseHeaders(503, -1);
      exchange.close();
      return;
    }
    int status = error == null ? 204 : 401;
    received.add(new Received(eventId, text, error, status));
    exchange.sendResponseHeaders(status, -1);
    exchange.close();
  }

  /** Whether a body is that of the ordering key test's first event. */
  private static boolean isFirstOrdered(String body) {
    try {
      JsonObject payload = JsonParser.parseString(body).getAsJsonObject();
      return payload.has("ordering")
          && ORDERING_KEY.equals(payload.get("ordering").getAsString())
          && payload.get("n").getAsInt() == 1;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String dispatch(String orderId) {
    DispatchResult result =
        client.dispatch(
            eventType,
            Map.of("order_id", orderId, "total", 99.99),
            DispatchOptions.defaults().withEndpointIds(List.of(endpointId)));
    assertEquals(1, result.deliveryIds().size());
    assertFalse(result.duplicate());
    return result.eventId();
  }

  private static Received awaitDelivery(String eventId) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Received delivery = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (delivery == null) {
        return fail("the receiver got no delivery of " + eventId + " within " + WAIT);
      }
      if (eventId.equals(delivery.eventId())) {
        return delivery;
      }
    }
  }

  @Test
  void dispatchedEventArrivesSigned() throws InterruptedException {
    String eventId = dispatch("ord_java_1");

    Received delivery = awaitDelivery(eventId);
    assertNull(delivery.error(), "signature verification");
    assertEquals("{\"order_id\":\"ord_java_1\",\"total\":99.99}", delivery.body());
  }

  /**
   * Three events with one ordering key, dispatched one after the other: the receiver holds the
   * first one's first attempt and fails it, so that it is retried; the others wait for it, then
   * arrive in order.
   */
  @Test
  void orderingKeyDeliversInDispatchOrder() throws InterruptedException {
    List<String> eventIds = new ArrayList<>();
    try {
      for (int n = 1; n <= 3; n++) {
        DispatchResult result =
            client.dispatch(
                eventType,
                Map.of("sdk", "java", "ordering", ORDERING_KEY, "n", n),
                DispatchOptions.defaults()
                    .withEndpointIds(List.of(endpointId))
                    .withOrderingKey(ORDERING_KEY));
        assertEquals(1, result.deliveryIds().size(), result.toString());
        assertFalse(result.duplicate());
        eventIds.add(result.eventId());
      }
      assertTrue(
          held.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the first event was not delivered");

      // While the first one is in flight, the later ones wait for it: pending, with no next
      // attempt.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      for (String eventId : eventIds.subList(1, 3)) {
        while (true) {
          EventDetail detail = client.getEvent(eventId);
          Delivery delivery = detail.deliveries().size() == 1 ? detail.deliveries().get(0) : null;
          if (ORDERING_KEY.equals(detail.event().orderingKey())
              && delivery != null
              && ORDERING_KEY.equals(delivery.orderingKey())
              && delivery.state() == DeliveryState.PENDING
              && delivery.waitingForOrderingKey()
              && delivery.nextAttemptAt() == null) {
            break;
          }
          if (System.nanoTime() > deadline) {
            fail(
                "while the first event's delivery is held, getEvent("
                    + eventId
                    + ") = "
                    + detail
                    + "; want the ordering key "
                    + ORDERING_KEY
                    + " and a pending delivery waiting for it, without a next attempt");
          }
          Thread.sleep(50);
        }
      }
    } finally {
      release.countDown();
    }

    List<String> want =
        List.of(
            eventIds.get(0) + " 503",
            eventIds.get(0) + " 204",
            eventIds.get(1) + " 204",
            eventIds.get(2) + " 204");
    List<String> got = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (got.size() < want.size()) {
      Received delivery = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (delivery == null) {
        fail("the receiver got " + got + ", want " + want);
      }
      if (eventIds.contains(delivery.eventId())) {
        assertNull(delivery.error(), "signature verification of " + delivery.eventId());
        got.add(delivery.eventId() + " " + delivery.status());
      }
    }
    assertEquals(want, got, "in dispatch order, the first one retried");

    for (int i = 0; i < eventIds.size(); i++) {
      String eventId = eventIds.get(i);
      EventDetail detail = client.getEvent(eventId);
      long succeededBy = System.nanoTime() + WAIT.toNanos();
      while (detail.deliveries().size() != 1
          || detail.deliveries().get(0).state() != DeliveryState.SUCCEEDED) {
        assertTrue(System.nanoTime() < succeededBy, "not succeeded: " + detail);
        Thread.sleep(50);
        detail = client.getEvent(eventId);
      }
      Delivery delivery = detail.deliveries().get(0);
      assertEquals(ORDERING_KEY, detail.event().orderingKey(), detail.toString());
      assertEquals(ORDERING_KEY, delivery.orderingKey(), detail.toString());
      assertFalse(delivery.waitingForOrderingKey(), detail.toString());
      assertEquals(i == 0 ? 2 : 1, delivery.attemptCount(), detail.toString());
      assertEquals(endpointId, delivery.endpointId(), detail.toString());
    }
  }

  @Test
  void streamReportsTheSucceededDelivery() throws InterruptedException {
    Instant since = Instant.now().minusSeconds(5);
    StreamFilter filter =
        StreamFilter.all()
            .withEndpointIds(List.of(endpointId))
            // Replays from a moment before the dispatch, so no update is lost while the stream
            // is being opened.
            .withSinceTime(since);
    BlockingQueue<Object> updates = new LinkedBlockingQueue<>();
    try (DeliveryStream stream = client.streamDeliveries(filter)) {
      Thread reader =
          new Thread(
              () -> {
                try {
                  stream.forEach(updates::add);
                } catch (RuntimeException e) {
                  updates.add(e);
                }
              },
              "delivery-stream");
      reader.setDaemon(true);
      reader.start();

      String eventId = dispatch("ord_java_2");
      assertNull(awaitDelivery(eventId).error(), "signature verification");

      long deadline = System.nanoTime() + WAIT.toNanos();
      while (true) {
        Object item = updates.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        assertNotNull(item, "no SUCCEEDED update for " + eventId + " within " + WAIT);
        if (item instanceof RuntimeException e) {
          throw new AssertionError("the delivery stream failed", e);
        }
        DeliveryUpdate update = (DeliveryUpdate) item;
        if (eventId.equals(update.eventId()) && update.state() == DeliveryState.SUCCEEDED) {
          return;
        }
      }
    }
  }
}
