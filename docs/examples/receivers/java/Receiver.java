/*
 * A webhookd receiver in Java, using the webhookd SDK's verifier and the
 * JDK's built-in HTTP server.
 *
 * It verifies the signature over the raw body (stale timestamps are
 * rejected), deduplicates by event id, answers 200 at once and processes the
 * event on a background thread.
 *
 *   mvn -f clients/java package -DskipTests
 *   WEBHOOK_SECRET=... PORT=9000 java -cp clients/java/target/webhookd-client-0.1.0.jar Receiver.java
 */
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.webhookd.client.WebhookVerificationException;
import dev.webhookd.client.Webhooks;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

public class Receiver {
  // Several comma-separated secrets while you rotate yours.
  static final List<String> SECRETS = List.of(System.getenv("WEBHOOK_SECRET").split(","));
  static final Set<String> SEEN = ConcurrentHashMap.newKeySet(); // production: a table with a unique key
  static final ExecutorService WORKER = Executors.newSingleThreadExecutor();

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "9000"));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.createContext("/", Receiver::handle);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.start();
    System.out.println("listening on 127.0.0.1:" + port);
  }

  static void handle(HttpExchange exchange) throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes(); // raw bytes
    }
    Map<String, String> headers = new HashMap<>();
    exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.get(0)));
    try {
      Webhooks.verify(body, headers, SECRETS); // tolerance: Webhooks.DEFAULT_TOLERANCE, 5 minutes
    } catch (WebhookVerificationException e) {
      reply(exchange, 401, "{\"error\":\"" + e.code() + "\"}");
      return;
    }

    String eventId = exchange.getRequestHeaders().getFirst(Webhooks.ID_HEADER);
    boolean duplicate = !SEEN.add(eventId);
    if (!duplicate) {
      WORKER.submit(() -> process(eventId, body));
    }
    reply(exchange, 200, "{\"duplicate\":" + duplicate + "}");
  }

  /** The slow part: runs after webhookd already has its 200. */
  static void process(String eventId, byte[] body) {
    System.out.println("processing " + eventId + ": " + new String(body, StandardCharsets.UTF_8));
  }

  static void reply(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (var out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
