package dev.webhookd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against a live webhookd, started by clients/test.sh: runs only when WEBHOOKD_ADDR is set.
 *
 * <p>A receiver on 127.0.0.1:$WEBHOOKD_RECEIVER_PORT (the URL of endpoint $WEBHOOKD_ENDPOINT_ID)
 * verifies every delivery with $WEBHOOKD_ENDPOINT_SECRET and answers 204 when it is valid, 401
 * otherwise.
 */
class IntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** A delivery as the receiver saw it; {@code error} is null when its signature was valid. */
  private record Received(String eventId, String body, String error) {}

  private static final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private static String endpointId;
  private static String secret;
  private static String eventType;
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
    receiver.start();
    client = WebhookdClient.builder(address).build();
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (receiver != null) {
      receiver.stop(0);
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
    received.add(
        new Received(
            exchange.getRequestHeaders().getFirst(Webhooks.ID_HEADER),
            new String(body, StandardCharsets.UTF_8),
            error));
    exchange.sendResponseHeaders(error == null ? 204 : 401, -1);
    exchange.close();
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
