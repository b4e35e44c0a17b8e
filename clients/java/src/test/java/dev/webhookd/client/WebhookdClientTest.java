package dev.webhookd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhookd.v1.DeliveryState;
import dev.webhookd.v1.DeliveryUpdate;
import dev.webhookd.v1.DispatchRequest;
import dev.webhookd.v1.DispatchResponse;
import dev.webhookd.v1.StreamDeliveriesRequest;
import dev.webhookd.v1.WebhookServiceGrpc;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The wrapper against a fake webhookd on a local port. */
class WebhookdClientTest {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final BlockingQueue<DispatchRequest> dispatched = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> authorizations = new LinkedBlockingQueue<>();
  private final CountDownLatch streamCancelled = new CountDownLatch(1);
  private volatile boolean endStream;
  private Server server;
  private WebhookdClient client;

  /** Answers Dispatch with a fixed event id; streams two updates, then ends or waits. */
  private final class FakeService extends WebhookServiceGrpc.WebhookServiceImplBase {
    @Override
    public void dispatch(DispatchRequest request, StreamObserver<DispatchResponse> responses) {
      dispatched.add(request);
      responses.onNext(DispatchResponse.newBuilder().setEventId("evt_1").build());
      responses.onCompleted();
    }

    @Override
    public void streamDeliveries(
        StreamDeliveriesRequest request, StreamObserver<DeliveryUpdate> updates) {
      Context.current().addListener(context -> streamCancelled.countDown(), Runnable::run);
      for (long sequence = 1; sequence <= 2; sequence++) {
        updates.onNext(
            DeliveryUpdate.newBuilder()
                .setSequence(sequence)
                .setEndpointId(request.getEndpointIds(0))
                .setState(DeliveryState.DELIVERY_STATE_SUCCEEDED)
                .build());
      }
      if (endStream) {
        updates.onCompleted();
      }
    }
  }

  @BeforeEach
  void start() throws IOException {
    ServerInterceptor recordAuthorization =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            String value = headers.get(AUTHORIZATION);
            authorizations.add(value == null ? "" : value);
            return next.startCall(call, headers);
          }
        };
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(ServerInterceptors.intercept(new FakeService(), recordAuthorization))
            .build()
            .start();
    client =
        WebhookdClient.builder()
            .address("127.0.0.1:" + server.getPort())
            .usePlaintext()
            .apiKey("key_123")
            .deadline(Duration.ofSeconds(10))
            .build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    client.close();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void dispatchSendsPayloadAsJsonWithTheApiKey() throws InterruptedException {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("order_id", "ord_<1>");
    payload.put("total", 99.99);
    payload.put("items", List.of(1, 2));
    payload.put("note", null);

    assertEquals("evt_1", client.dispatch("order.created", payload));

    DispatchRequest request = dispatched.poll(5, TimeUnit.SECONDS);
    assertEquals("order.created", request.getEventType());
    assertEquals(
        "{\"order_id\":\"ord_<1>\",\"total\":99.99,\"items\":[1,2],\"note\":null}",
        request.getPayloadJson());
    assertEquals("", request.getIdempotencyKey());
    assertTrue(request.getEndpointIdsList().isEmpty());
    assertEquals("Bearer key_123", authorizations.poll(5, TimeUnit.SECONDS));
  }

  @Test
  void dispatchOptionsAreSent() throws InterruptedException {
    DispatchOptions options =
        DispatchOptions.defaults()
            .withIdempotencyKey("k1")
            .withEndpointIds(List.of("ep_a", "ep_b"));
    client.dispatch("order.created", Map.of("n", 5), options);

    DispatchRequest request = dispatched.poll(5, TimeUnit.SECONDS);
    assertEquals("{\"n\":5}", request.getPayloadJson());
    assertEquals("k1", request.getIdempotencyKey());
    assertEquals(List.of("ep_a", "ep_b"), request.getEndpointIdsList());
  }

  @Test
  void streamYieldsUpdatesUntilTheServerEndsIt() {
    endStream = true;
    StreamDeliveriesRequest filter =
        StreamDeliveriesRequest.newBuilder().addEndpointIds("ep_a").build();
    try (DeliveryStream stream = client.streamDeliveries(filter)) {
      assertEquals(1, stream.next().getSequence());
      assertEquals("ep_a", stream.next().getEndpointId());
      assertFalse(stream.hasNext());
    }
  }

  @Test
  void closingTheStreamCancelsIt() throws InterruptedException {
    StreamDeliveriesRequest filter =
        StreamDeliveriesRequest.newBuilder().addEndpointIds("ep_a").build();
    DeliveryStream stream = client.streamDeliveries(filter);
    stream.next();
    stream.next();
    stream.close();

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, stream::hasNext);
    assertEquals(Status.Code.CANCELLED, e.getStatus().getCode());
    assertTrue(streamCancelled.await(5, TimeUnit.SECONDS), "the server saw the cancellation");
  }
}
