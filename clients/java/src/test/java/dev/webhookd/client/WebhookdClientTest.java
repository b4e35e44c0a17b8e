package dev.webhookd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import dev.webhookd.v1.CreateEndpointRequest;
import dev.webhookd.v1.DispatchRequest;
import dev.webhookd.v1.DispatchResponse;
import dev.webhookd.v1.EndpointRetryPolicy;
import dev.webhookd.v1.EventTypeDefinition;
import dev.webhookd.v1.GetEndpointRequest;
import dev.webhookd.v1.GetEventRequest;
import dev.webhookd.v1.GetEventResponse;
import dev.webhookd.v1.GetMetricsRequest;
import dev.webhookd.v1.GetMetricsResponse;
import dev.webhookd.v1.ListEventTypesRequest;
import dev.webhookd.v1.ListEventTypesResponse;
import dev.webhookd.v1.ReplayRequest;
import dev.webhookd.v1.ReplayResponse;
import dev.webhookd.v1.StreamDeliveriesRequest;
import dev.webhookd.v1.UpdateEndpointRequest;
import dev.webhookd.v1.WebhookServiceGrpc;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsServerCredentials;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client against a fake webhookd on a local port. */
class WebhookdClientTest {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Instant CREATED = Instant.parse("2026-01-02T03:04:05.600Z");
  private static final Instant LATER = CREATED.plusSeconds(3600);

  private final Map<String, List<Object>> requests = new ConcurrentHashMap<>();
  private final Map<String, Deque<StatusRuntimeException>> failures = new ConcurrentHashMap<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final Map<String, List<Boolean>> deadlines = new ConcurrentHashMap<>();
  private final CountDownLatch streamCancelled = new CountDownLatch(1);
  private final List<WebhookdClient> clients = new ArrayList<>();
  private Server server;

  private static Timestamp timestamp(Instant instant) {
    return Convert.timestamp(instant);
  }

  private static Value number(double number) {
    return Value.newBuilder().setNumberValue(number).build();
  }

  private static Value string(String string) {
    return Value.newBuilder().setStringValue(string).build();
  }

  private static Value object(String key, Value value) {
    return Value.newBuilder().setStructValue(Struct.newBuilder().putFields(key, value)).build();
  }

  private static Value list(Value... values) {
    return Value.newBuilder()
        .setListValue(ListValue.newBuilder().addAllValues(Arrays.asList(values)))
        .build();
  }

  /** The filter of the proto's example, as the server sends it. */
  private static final Struct ORDER_FILTER =
      Struct.newBuilder()
          .putFields("order.total", object("$gte", number(100)))
          .putFields("order.currency", object("$in", list(string("EUR"), string("USD"))))
          .build();

  /** The JSON Schema of order.created in the fake's catalog, as the server sends it. */
  private static final Struct ORDER_SCHEMA =
      Struct.newBuilder()
          .putFields("type", string("object"))
          .putFields("required", list(string("order_id"), string("total")))
          .putFields(
              "properties",
              Value.newBuilder()
                  .setStructValue(
                      Struct.newBuilder()
                          .putFields("order_id", object("type", string("string")))
                          .putFields(
                              "total",
                              Value.newBuilder()
                                  .setStructValue(
                                      Struct.newBuilder()
                                          .putFields("type", string("number"))
                                          .putFields("minimum", number(0)))
                                  .build()))
                  .build())
          .putFields("additionalProperties", Value.newBuilder().setBoolValue(false).build())
          .putFields("$comment", Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build())
          .build();

  /** Records each request, fails it if a failure is queued, and answers with canned results. */
  private final class FakeService extends WebhookServiceGrpc.WebhookServiceImplBase {
    private boolean record(String method, Object request, StreamObserver<?> responses) {
      requests.computeIfAbsent(method, m -> new CopyOnWriteArrayList<>()).add(request);
      deadlines
          .computeIfAbsent(method, m -> new CopyOnWriteArrayList<>())
          .add(Context.current().getDeadline() != null);
      Deque<StatusRuntimeException> queued = failures.get(method);
      StatusRuntimeException failure = queued == null ? null : queued.poll();
      if (failure != null) {
        responses.onError(failure);
        return false;
      }
      return true;
    }

    @Override
    public void dispatch(DispatchRequest request, StreamObserver<DispatchResponse> responses) {
      if (record("Dispatch", request, responses)) {
        responses.onNext(
            DispatchResponse.newBuilder()
                .setEventId("evt_1")
                .addDeliveryIds("dlv_1")
                .addDeliveryIds("dlv_2")
                .setDuplicate(true)
                .build());
        responses.onCompleted();
      }
    }

    @Override
    public void replay(ReplayRequest request, StreamObserver<ReplayResponse> responses) {
      if (record("Replay", request, responses)) {
        responses.onNext(
            ReplayResponse.newBuilder().addDeliveryIds("dlv_9").setCount(1L << 40).build());
        responses.onCompleted();
      }
    }

    @Override
    public void getEndpoint(
        GetEndpointRequest request, StreamObserver<dev.webhookd.v1.Endpoint> responses) {
      if (record("GetEndpoint", request, responses)) {
        responses.onNext(
            dev.webhookd.v1.Endpoint.newBuilder()
                .setId(request.getId())
                .setUrl("https://example.com/hook")
                .addEventTypes("order.*")
                .setDisabledReason("maintenance")
                .setDisabledAt(timestamp(LATER))
                .setOrigin("api")
                .setSecretHint("cdef")
                .setConsecutiveFailures(3)
                .setCreatedAt(timestamp(CREATED))
                .setUpdatedAt(timestamp(LATER))
                .setCircuitState("half_open")
                .setSignatureScheme(dev.webhookd.v1.SignatureScheme.SIGNATURE_SCHEME_STANDARD)
                .putHeaders("authorization", "***")
                .putHeaders("x-tenant", "acme")
                .setRetryPolicy(
                    EndpointRetryPolicy.newBuilder()
                        .setMaxAttempts(5)
                        .addDelaysSeconds(0.2)
                        .addDelaysSeconds(1.1)
                        .addDelaysSeconds(90))
                .setFilter(
                    ORDER_FILTER.toBuilder()
                        .putFields("order.express", Value.newBuilder().setBoolValue(true).build())
                        .putFields(
                            "order.coupon",
                            Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build()))
                .build());
        responses.onCompleted();
      }
    }

    @Override
    public void createEndpoint(
        CreateEndpointRequest request, StreamObserver<dev.webhookd.v1.Endpoint> responses) {
      if (record("CreateEndpoint", request, responses)) {
        dev.webhookd.v1.Endpoint.Builder endpoint =
            dev.webhookd.v1.Endpoint.newBuilder()
                .setId(request.getId())
                .setUrl(request.getUrl())
                .addAllEventTypes(request.getEventTypesList())
                .setActive(!request.getDisabled())
                .putAllHeaders(request.getHeadersMap());
        if (request.hasRetryPolicy()) {
          endpoint.setRetryPolicy(request.getRetryPolicy());
        }
        if (request.hasFilter()) {
          endpoint.setFilter(request.getFilter());
        }
        responses.onNext(endpoint.build());
        responses.onCompleted();
      }
    }

    @Override
    public void updateEndpoint(
        UpdateEndpointRequest request, StreamObserver<dev.webhookd.v1.Endpoint> responses) {
      if (record("UpdateEndpoint", request, responses)) {
        responses.onNext(request.getEndpoint());
        responses.onCompleted();
      }
    }

    @Override
    public void getEvent(GetEventRequest request, StreamObserver<GetEventResponse> responses) {
      if (!record("GetEvent", request, responses)) {
        return;
      }
      if (request.getEventId().equals("evt_ordered")) {
        // An event with an ordering key: its delivery to ep_1 is being retried, the one to ep_2
        // waits for an earlier event's delivery.
        responses.onNext(
            GetEventResponse.newBuilder()
                .setEvent(
                    dev.webhookd.v1.Event.newBuilder()
                        .setId(request.getEventId())
                        .setEventType("order.updated")
                        .setPayloadJson("{}")
                        .setCreatedAt(timestamp(CREATED))
                        .setOrderingKey("customer-42"))
                .addDeliveries(
                    dev.webhookd.v1.Delivery.newBuilder()
                        .setId("dlv_o1")
                        .setEventId(request.getEventId())
                        .setEndpointId("ep_1")
                        .setState(dev.webhookd.v1.DeliveryState.DELIVERY_STATE_PENDING)
                        .setAttemptCount(1)
                        .setNextAttemptAt(timestamp(LATER))
                        .setCreatedAt(timestamp(CREATED))
                        .setOrderingKey("customer-42"))
                .addDeliveries(
                    dev.webhookd.v1.Delivery.newBuilder()
                        .setId("dlv_o2")
                        .setEventId(request.getEventId())
                        .setEndpointId("ep_2")
                        .setState(dev.webhookd.v1.DeliveryState.DELIVERY_STATE_PENDING)
                        .setCreatedAt(timestamp(CREATED))
                        .setOrderingKey("customer-42")
                        .setWaitingForOrderingKey(true))
                .build());
        responses.onCompleted();
        return;
      }
      responses.onNext(
          GetEventResponse.newBuilder()
              .setEvent(
                  dev.webhookd.v1.Event.newBuilder()
                      .setId(request.getEventId())
                      .setEventType("order.created")
                      .setPayloadJson("{\"n\":18446744073709551616}")
                      .setCreatedAt(timestamp(CREATED)))
              .addDeliveries(
                  dev.webhookd.v1.Delivery.newBuilder()
                      .setId("dlv_1")
                      .setState(dev.webhookd.v1.DeliveryState.DELIVERY_STATE_IN_FLIGHT)
                      .setAttemptCount(1)
                      .setNextAttemptAt(timestamp(LATER))
                      .setCreatedAt(timestamp(CREATED))
                      .addAttempts(
                          dev.webhookd.v1.Attempt.newBuilder()
                              .setNumber(1)
                              .setStartedAt(timestamp(CREATED))
                              .setDurationMs(1500)
                              .setHttpStatus(503)
                              .setErrorKind("http_5xx")))
              .build());
      responses.onCompleted();
    }

    @Override
    public void getMetrics(GetMetricsRequest request, StreamObserver<GetMetricsResponse> responses) {
      if (record("GetMetrics", request, responses)) {
        responses.onNext(
            GetMetricsResponse.newBuilder()
                .setAttempted(10)
                .setFailed(3)
                .setLatencyP50Ms(1.5)
                .setLatencyMaxMs(2000)
                .putFailuresByErrorKind("connect", 3)
                .setWindowSeconds(request.getWindowSeconds())
                .addEndpoints(
                    dev.webhookd.v1.EndpointStatus.newBuilder()
                        .setEndpointId("ep_1")
                        .setPending(4)
                        .setOldestPendingAgeSeconds(2.5)
                        .setLatency(dev.webhookd.v1.LatencySummary.newBuilder().setP99Ms(12))
                        .setConcurrencyLimit(8)
                        .setConcurrencyWindow(3))
                .setRetryBudgetSlots(12)
                .setRetriesInFlight(5)
                .setRetriesDeferred(1L << 40)
                .build());
        responses.onCompleted();
      }
    }

    @Override
    public void listEventTypes(
        ListEventTypesRequest request, StreamObserver<ListEventTypesResponse> responses) {
      if (record("ListEventTypes", request, responses)) {
        responses.onNext(
            ListEventTypesResponse.newBuilder()
                .addEventTypes(
                    EventTypeDefinition.newBuilder()
                        .setName("order.created")
                        .setDescription("An order was placed")
                        .setSchema(ORDER_SCHEMA))
                .addEventTypes(EventTypeDefinition.newBuilder().setName("order.noted"))
                .setUnknownTypesAllowed(false)
                .build());
        responses.onCompleted();
      }
    }

    @Override
    public void streamDeliveries(
        StreamDeliveriesRequest request, StreamObserver<dev.webhookd.v1.DeliveryUpdate> updates) {
      if (!record("StreamDeliveries", request, updates)) {
        return;
      }
      Context.current().addListener(context -> streamCancelled.countDown(), Runnable::run);
      for (long sequence = 1; sequence <= 2; sequence++) {
        updates.onNext(
            dev.webhookd.v1.DeliveryUpdate.newBuilder()
                .setSequence(sequence)
                .setKind(dev.webhookd.v1.UpdateKind.UPDATE_KIND_RETRY_SCHEDULED)
                .setEndpointId(request.getEndpointIds(0))
                .setState(dev.webhookd.v1.DeliveryState.DELIVERY_STATE_PENDING)
                .setLatencyMs(250)
                .setOccurredAt(timestamp(CREATED))
                .build());
      }
      if (!request.getEndpointIds(0).equals("ep_forever")) {
        updates.onCompleted();
      }
    }
  }

  private String start(ServerCredentials credentials) throws IOException {
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
        Grpc.newServerBuilderForPort(0, credentials)
            .addService(ServerInterceptors.intercept(new FakeService(), recordAuthorization))
            .build()
            .start();
    return "127.0.0.1:" + server.getPort();
  }

  private String start() throws IOException {
    return start(InsecureServerCredentials.create());
  }

  private WebhookdClient client(WebhookdClient.Builder builder) {
    WebhookdClient client = builder.build();
    clients.add(client);
    return client;
  }

  private static final RetryPolicy FAST_RETRY =
      RetryPolicy.DEFAULT.withMaxAttempts(3).withBackoff(Duration.ofMillis(1), Duration.ofMillis(5));

  private void failNext(String method, Status... statuses) {
    Deque<StatusRuntimeException> queue =
        failures.computeIfAbsent(method, m -> new ArrayDeque<>());
    for (Status status : statuses) {
      queue.add(status.asRuntimeException());
    }
  }

  private List<Object> requests(String method) {
    return requests.getOrDefault(method, List.of());
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (WebhookdClient client : clients) {
      client.close();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void dispatchSendsPayloadAsJsonWithTheApiKeyAndReturnsTheResult() throws IOException {
    String address = start();
    WebhookdClient client = client(WebhookdClient.builder(address).apiKey("key_123"));
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("order_id", "ord_<1>");
    payload.put("total", 99.99);
    payload.put("items", List.of(1, 2));
    payload.put("note", null);

    DispatchResult result = client.dispatch("order.created", payload);

    assertEquals(new DispatchResult("evt_1", List.of("dlv_1", "dlv_2"), true), result);
    DispatchRequest request = (DispatchRequest) requests("Dispatch").get(0);
    assertEquals("order.created", request.getEventType());
    assertEquals(
        "{\"order_id\":\"ord_<1>\",\"total\":99.99,\"items\":[1,2],\"note\":null}",
        request.getPayloadJson());
    assertTrue(request.getIdempotencyKey().matches("sdk-[0-9a-f-]{36}"), request.getIdempotencyKey());
    assertTrue(request.getEndpointIdsList().isEmpty());
    assertEquals("", request.getOrderingKey());
    assertEquals("Bearer key_123", authorizations.get(0));
  }

  @Test
  void dispatchOptionsAreSent() throws IOException {
    WebhookdClient client = client(WebhookdClient.builder(start()));
    DispatchOptions options =
        DispatchOptions.defaults()
            .withIdempotencyKey("k1")
            .withOrderingKey("customer-42")
            .withEndpointIds(List.of("ep_a", "ep_b"));
    client.dispatchJson("order.created", "{\"n\": 18446744073709551616}", options);

    DispatchRequest request = (DispatchRequest) requests("Dispatch").get(0);
    assertEquals("{\"n\": 18446744073709551616}", request.getPayloadJson());
    assertEquals("k1", request.getIdempotencyKey());
    assertEquals("customer-42", request.getOrderingKey());
    assertEquals(List.of("ep_a", "ep_b"), request.getEndpointIdsList());
  }

  @Test
  void dispatchOptionsAreImmutable() {
    DispatchOptions ordered = DispatchOptions.defaults().withOrderingKey("customer-42");
    assertEquals("", DispatchOptions.defaults().orderingKey());
    assertEquals("customer-42", ordered.orderingKey());
    DispatchOptions all =
        ordered.withIdempotencyKey("k1").withEndpointIds(List.of("ep_a")).withOrderingKey("c-7");
    assertEquals("c-7", all.orderingKey());
    assertEquals("k1", all.idempotencyKey());
    assertEquals(List.of("ep_a"), all.endpointIds());
    assertEquals("customer-42", ordered.orderingKey());
    assertEquals("", ordered.idempotencyKey());
    assertThrows(NullPointerException.class, () -> ordered.withOrderingKey(null));
  }

  @Test
  void dispatchIsRetriedWithTheSameKey() throws IOException {
    WebhookdClient client = client(WebhookdClient.builder(start()).retryPolicy(FAST_RETRY));
    failNext("Dispatch", Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED);

    assertEquals(
        "evt_1",
        client
            .dispatch("a.b", Map.of(), DispatchOptions.defaults().withOrderingKey("customer-42"))
            .eventId());

    List<Object> calls = requests("Dispatch");
    assertEquals(3, calls.size());
    String key = ((DispatchRequest) calls.get(0)).getIdempotencyKey();
    for (Object call : calls) {
      assertEquals(key, ((DispatchRequest) call).getIdempotencyKey());
      // The generated idempotency key does not replace the ordering key.
      assertEquals("customer-42", ((DispatchRequest) call).getOrderingKey());
    }
  }

  @Test
  void dispatchWithoutAKeyIsNotRetried() throws IOException {
    WebhookdClient client =
        client(
            WebhookdClient.builder(start()).retryPolicy(FAST_RETRY).autoIdempotencyKey(false));
    failNext("Dispatch", Status.UNAVAILABLE);

    WebhookdException e =
        assertThrows(WebhookdException.class, () -> client.dispatch("a.b", Map.of()));
    assertEquals(Status.Code.UNAVAILABLE, e.code());
    assertEquals(1, requests("Dispatch").size());
    assertEquals("", ((DispatchRequest) requests("Dispatch").get(0)).getIdempotencyKey());
  }

  @Test
  void idempotentCallsAreRetriedUpToTheLimit() throws IOException {
    WebhookdClient client = client(WebhookdClient.builder(start()).retryPolicy(FAST_RETRY));

    failNext("GetEndpoint", Status.UNAVAILABLE, Status.UNAVAILABLE);
    assertEquals("ep_1", client.getEndpoint("ep_1").id());
    assertEquals(3, requests("GetEndpoint").size());

    failNext(
        "GetEndpoint",
        Status.UNAVAILABLE.withDescription("1"),
        Status.UNAVAILABLE.withDescription("2"),
        Status.UNAVAILABLE.withDescription("3"));
    WebhookdException e = assertThrows(WebhookdException.class, () -> client.getEndpoint("ep_1"));
    assertEquals("3", e.getMessage());
    assertEquals(6, requests("GetEndpoint").size());

    failures.get("GetEndpoint").clear();
    failNext("GetEndpoint", Status.NOT_FOUND);
    assertThrows(WebhookdException.class, () -> client.getEndpoint("ep_1"));
    assertEquals(7, requests("GetEndpoint").size(), "NOT_FOUND is not retried");

    failNext("Replay", Status.UNAVAILABLE);
    assertThrows(WebhookdException.class, () -> client.replay("evt_1"));
    assertEquals(1, requests("Replay").size(), "Replay is not retried");

    WebhookdClient noRetry =
        client(WebhookdClient.builder("127.0.0.1:" + server.getPort()).retryPolicy(RetryPolicy.NONE));
    failNext("GetEndpoint", Status.UNAVAILABLE);
    assertThrows(WebhookdException.class, () -> noRetry.getEndpoint("ep_1"));
    assertEquals(8, requests("GetEndpoint").size());
  }

  @Test
  void backoffIsExponentialWithFullJitter() {
    RetryPolicy policy = RetryPolicy.DEFAULT;
    assertEquals(4, policy.maxAttempts());
    assertEquals(Duration.ofMillis(100), policy.backoff(1, 1));
    assertEquals(Duration.ofMillis(50), policy.backoff(1, 0.5));
    assertEquals(Duration.ofMillis(200), policy.backoff(2, 1));
    assertEquals(Duration.ofMillis(400), policy.backoff(3, 1));
    assertEquals(Duration.ofMillis(1600), policy.backoff(5, 1));
    assertEquals(Duration.ofSeconds(2), policy.backoff(6, 1));
    assertEquals(Duration.ofSeconds(2), policy.backoff(40, 1));
    assertEquals(Duration.ZERO, policy.backoff(40, 0));
    assertThrows(IllegalArgumentException.class, () -> policy.withMaxAttempts(0));
  }

  @Test
  void errorDetailsAreDecoded() throws IOException {
    WebhookdClient client = client(WebhookdClient.builder(start()));
    com.google.rpc.Status details =
        com.google.rpc.Status.newBuilder()
            .setCode(Code.RESOURCE_EXHAUSTED_VALUE)
            .setMessage("payload too large")
            .addDetails(
                Any.pack(
                    ErrorInfo.newBuilder()
                        .setReason("PAYLOAD_TOO_LARGE")
                        .setDomain("webhookd")
                        .putMetadata("limit", "1024")
                        .build()))
            .addDetails(
                Any.pack(
                    BadRequest.newBuilder()
                        .addFieldViolations(
                            BadRequest.FieldViolation.newBuilder()
                                .setField("payload_json")
                                .setDescription("too big"))
                        .build()))
            .build();
    failures
        .computeIfAbsent("Dispatch", m -> new ArrayDeque<>())
        .add(StatusProto.toStatusRuntimeException(details));

    WebhookdException e =
        assertThrows(WebhookdException.class, () -> client.dispatch("a.b", Map.of()));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.code());
    assertEquals("payload too large", e.getMessage());
    assertEquals("PAYLOAD_TOO_LARGE", e.reason());
    assertEquals(Map.of("limit", "1024"), e.metadata());
    assertEquals(
        List.of(new WebhookdException.FieldViolation("payload_json", "too big")),
        e.fieldViolations());
    assertEquals(
        "WebhookdException: RESOURCE_EXHAUSTED: payload too large (PAYLOAD_TOO_LARGE)",
        e.toString());
    assertTrue(e.getCause() instanceof StatusRuntimeException);
  }

  @Test
  void listEventTypesReturnsTheCatalogAsNativeValues() throws IOException {
    WebhookdClient client = client(WebhookdClient.builder(start()).retryPolicy(FAST_RETRY));
    // A read: retried on UNAVAILABLE.
    failNext("ListEventTypes", Status.UNAVAILABLE);

    EventCatalog catalog = client.listEventTypes();

    assertEquals(2, requests("ListEventTypes").size());
    assertFalse(catalog.unknownTypesAllowed());
    assertEquals(
        List.of("order.created", "order.noted"),
        catalog.eventTypes().stream().map(EventType::name).toList());
    EventType created = catalog.eventTypes().get(0);
    assertEquals("An order was placed", created.description());
    // The schema as JSON values: numbers are Doubles, null stays null.
    Map<String, Object> expected = new HashMap<>();
    expected.put("type", "object");
    expected.put("required", List.of("order_id", "total"));
    expected.put(
        "properties",
        Map.of(
            "order_id", Map.of("type", "string"),
            "total", Map.of("type", "number", "minimum", 0.0)));
    expected.put("additionalProperties", false);
    expected.put("$comment", null);
    assertEquals(expected, created.schema());
    assertThrows(UnsupportedOperationException.class, () -> created.schema().clear());
    // A type without a schema: null, not an empty map.
    EventType noted = catalog.eventTypes().get(1);
    assertEquals("", noted.description());
    assertNull(noted.schema());
    assertThrows(UnsupportedOperationException.class, () -> catalog.eventTypes().clear());

    // Other errors are not retried.
    failNext("ListEventTypes", Status.PERMISSION_DENIED);
    WebhookdException e = assertThrows(WebhookdException.class, client::listEventTypes);
    assertEquals(Status.Code.PERMISSION_DENIED, e.code());
    assertEquals(3, requests("ListEventTypes").size());

    // The records copy what they are given.
    Map<String, Object> mutable = new HashMap<>(Map.of("type", "object"));
    List<EventType> types = new ArrayList<>(List.of(new EventType("a.b", "", mutable)));
    EventCatalog copied = new EventCatalog(types, true);
    mutable.clear();
    types.clear();
    assertEquals(List.of(new EventType("a.b", "", Map.of("type", "object"))), copied.eventTypes());
  }

  @Test
  void schemaViolationsOfDispatchAreDecoded() throws IOException {
    WebhookdClient client = client(WebhookdClient.builder(start()).retryPolicy(FAST_RETRY));
    com.google.rpc.Status details =
        com.google.rpc.Status.newBuilder()
            .setCode(Code.INVALID_ARGUMENT_VALUE)
            .setMessage("the payload does not match the JSON Schema of `order.created`")
            .addDetails(
                Any.pack(
                    ErrorInfo.newBuilder()
                        .setReason("SCHEMA_VIOLATION")
                        .setDomain("webhookd")
                        .putMetadata("event_type", "order.created")
                        .build()))
            .addDetails(
                Any.pack(
                    BadRequest.newBuilder()
                        .addFieldViolations(
                            BadRequest.FieldViolation.newBuilder()
                                .setField("payload/order_id")
                                .setDescription("7 is not of type \"string\""))
                        .addFieldViolations(
                            BadRequest.FieldViolation.newBuilder()
                                .setField("payload/total")
                                .setDescription("-1 is less than the minimum of 0"))
                        .build()))
            .build();
    failures
        .computeIfAbsent("Dispatch", m -> new ArrayDeque<>())
        .add(StatusProto.toStatusRuntimeException(details));

    WebhookdException e =
        assertThrows(
            WebhookdException.class,
            () -> client.dispatch("order.created", Map.of("order_id", 7, "total", -1)));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
    assertEquals("SCHEMA_VIOLATION", e.reason());
    assertEquals(Map.of("event_type", "order.created"), e.metadata());
    assertEquals(
        List.of(
            new WebhookdException.FieldViolation("payload/order_id", "7 is not of type \"string\""),
            new WebhookdException.FieldViolation(
                "payload/total", "-1 is less than the minimum of 0")),
        e.fieldViolations());
    assertEquals(
        "WebhookdException: INVALID_ARGUMENT: the payload does not match the JSON Schema of"
            + " `order.created` (SCHEMA_VIOLATION)",
        e.toString());
    // INVALID_ARGUMENT is not retried, even with the generated idempotency key.
    assertEquals(1, requests("Dispatch").size());

    failures
        .get("Dispatch")
        .add(
            StatusProto.toStatusRuntimeException(
                com.google.rpc.Status.newBuilder()
                    .setCode(Code.INVALID_ARGUMENT_VALUE)
                    .setMessage("`user.created` is not in the event catalog")
                    .addDetails(
                        Any.pack(ErrorInfo.newBuilder().setReason("UNKNOWN_EVENT_TYPE").build()))
                    .addDetails(
                        Any.pack(
                            BadRequest.newBuilder()
                                .addFieldViolations(
                                    BadRequest.FieldViolation.newBuilder()
                                        .setField("event_type")
                                        .setDescription("not in the catalog"))
                                .build()))
                    .build()));
    e =
        assertThrows(
            WebhookdException.class, () -> client.dispatch("user.created", Map.of()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
    assertEquals("UNKNOWN_EVENT_TYPE", e.reason());
    assertEquals("event_type", e.fieldViolations().get(0).field());
  }

  @Test
  void unaryCallsHaveADefaultDeadlineTheRawStubIncluded() throws IOException {
    String address = start();
    WebhookdClient client = client(WebhookdClient.builder(address).apiKey("raw_key"));
    client.raw().getEndpoint(GetEndpointRequest.newBuilder().setId("ep_1").build());
    client.getEndpoint("ep_1");
    client(WebhookdClient.builder(address).timeout(Duration.ZERO)).getEndpoint("ep_1");

    assertEquals(List.of(true, true, false), deadlines.get("GetEndpoint"));
    assertEquals("Bearer raw_key", authorizations.get(0), "the raw stub sends the API key");
  }

  @Test
  void streamYieldsNativeUpdatesUntilTheServerEndsIt() throws IOException {
    WebhookdClient client = client(WebhookdClient.builder(start()));
    StreamFilter filter =
        StreamFilter.all()
            .withEndpointIds(List.of("ep_a"))
            .withStates(List.of(DeliveryState.DEAD))
            .withSinceTime(CREATED);
    List<DeliveryUpdate> updates = new ArrayList<>();
    try (DeliveryStream stream = client.streamDeliveries(filter)) {
      for (DeliveryUpdate update : stream) {
        updates.add(update);
      }
      assertThrows(IllegalStateException.class, stream::iterator);
    }
    assertEquals(2, updates.size());
    assertEquals(
        new DeliveryUpdate(
            UpdateKind.RETRY_SCHEDULED, 1, "", "", "ep_a", "", DeliveryState.PENDING, 0, 0, "",
            Duration.ofMillis(250), null, CREATED, 0, ""),
        updates.get(0));
    StreamDeliveriesRequest request = (StreamDeliveriesRequest) requests("StreamDeliveries").get(0);
    assertEquals(dev.webhookd.v1.DeliveryState.DELIVERY_STATE_DEAD, request.getStates(0));
    assertEquals(CREATED, Convert.instant(true, request.getSinceTime()));
  }

  @Test
  void closingTheStreamEndsTheLoop() throws Exception {
    WebhookdClient client = client(WebhookdClient.builder(start()));
    DeliveryStream stream =
        client.streamDeliveries(StreamFilter.all().withEndpointIds(List.of("ep_forever")));
    Iterator<DeliveryUpdate> updates = stream.iterator();
    updates.next();
    updates.next();
    BlockingQueue<Object> ended = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                ended.add(updates.hasNext());
              } catch (RuntimeException e) {
                ended.add(e);
              }
            });
    reader.start();
    Thread.sleep(50);
    stream.close();

    assertEquals(false, ended.poll(5, TimeUnit.SECONDS));
    assertTrue(streamCancelled.await(5, TimeUnit.SECONDS), "the server saw the cancellation");
  }

  @Test
  void streamsHaveNoDeadlineUnlessOneIsSet() throws IOException {
    String address = start();
    WebhookdClient client = client(WebhookdClient.builder(address));
    StreamFilter forever = StreamFilter.all().withEndpointIds(List.of("ep_forever"));
    try (DeliveryStream stream = client.streamDeliveries(forever)) {
      stream.iterator().next();
    }
    try (DeliveryStream stream = client.streamDeliveries(forever, Duration.ofMillis(300))) {
      Iterator<DeliveryUpdate> updates = stream.iterator();
      updates.next();
      updates.next();
      WebhookdException e = assertThrows(WebhookdException.class, updates::hasNext);
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.code());
    }
    WebhookdClient timed =
        client(WebhookdClient.builder(address).streamTimeout(Duration.ofMillis(300)));
    try (DeliveryStream stream = timed.streamDeliveries(forever)) {
      Iterator<DeliveryUpdate> updates = stream.iterator();
      updates.next();
      updates.next();
      assertThrows(WebhookdException.class, updates::hasNext);
    }
    assertEquals(List.of(false, true, true), deadlines.get("StreamDeliveries"));
  }

  @Test
  void resultsAreNativeTypes() throws IOException {
    WebhookdClient client = client(WebhookdClient.builder(start()));

    Endpoint endpoint = client.getEndpoint("ep_1");
    assertEquals("ep_1", endpoint.id());
    assertFalse(endpoint.active());
    assertEquals(LATER, endpoint.disabledAt());
    assertNull(endpoint.previousSecretExpiresAt());
    assertEquals(CREATED, endpoint.createdAt());
    assertEquals(SignatureScheme.STANDARD, endpoint.signatureScheme());
    assertEquals(List.of("order.*"), endpoint.eventTypes());
    assertEquals(Map.of("authorization", "***", "x-tenant", "acme"), endpoint.headers());
    assertThrows(UnsupportedOperationException.class, () -> endpoint.headers().put("x", "y"));
    // Seconds become durations, exactly.
    assertEquals(
        RetrySchedule.of(
            5, Duration.ofMillis(200), Duration.ofMillis(1100), Duration.ofSeconds(90)),
        endpoint.retryPolicy());
    assertThrows(
        UnsupportedOperationException.class,
        () -> endpoint.retryPolicy().delays().add(Duration.ZERO));
    // The filter becomes JSON values: every number a Double.
    Map<String, Object> filter = new HashMap<>();
    filter.put("order.total", Map.of("$gte", 100.0));
    filter.put("order.currency", Map.of("$in", List.of("EUR", "USD")));
    filter.put("order.express", true);
    filter.put("order.coupon", null);
    assertEquals(filter, endpoint.filter());
    assertThrows(UnsupportedOperationException.class, () -> endpoint.filter().put("x", "y"));
    assertThrows(
        UnsupportedOperationException.class,
        () -> ((List<?>) ((Map<?, ?>) endpoint.filter().get("order.currency")).get("$in")).clear());

    EventDetail detail = client.getEvent("evt_1");
    assertEquals("{\"n\":18446744073709551616}", detail.event().payloadJson());
    assertEquals(CREATED, detail.event().createdAt());
    assertEquals("", detail.event().orderingKey());
    Delivery delivery = detail.deliveries().get(0);
    assertEquals(DeliveryState.IN_FLIGHT, delivery.state());
    assertEquals(LATER, delivery.nextAttemptAt());
    assertNull(delivery.updatedAt());
    assertEquals("", delivery.orderingKey());
    assertFalse(delivery.waitingForOrderingKey());
    Attempt attempt = delivery.attempts().get(0);
    assertEquals(Duration.ofMillis(1500), attempt.duration());
    assertEquals(503, attempt.httpStatus());

    Metrics metrics = client.getMetrics(Duration.ofHours(1), "ep_1");
    assertEquals(Duration.ofHours(1), metrics.window());
    assertEquals(10, metrics.attempted());
    assertEquals(Map.of("connect", 3L), metrics.failuresByErrorKind());
    assertEquals(Duration.ofNanos(1_500_000), metrics.latency().p50());
    assertEquals(Duration.ofSeconds(2), metrics.latency().max());
    assertEquals(Duration.ofMillis(2500), metrics.endpoints().get(0).oldestPendingAge());
    assertEquals(Duration.ofMillis(12), metrics.endpoints().get(0).latency().p99());
    assertEquals(8, metrics.endpoints().get(0).concurrencyLimit());
    assertEquals(3, metrics.endpoints().get(0).concurrencyWindow());
    assertEquals(12, metrics.retryBudgetSlots());
    assertEquals(5, metrics.retriesInFlight());
    assertEquals(1L << 40, metrics.retriesDeferred());
    assertEquals("ep_1", ((GetMetricsRequest) requests("GetMetrics").get(0)).getEndpointId());

    ReplayResult replay = client.replay("evt_1", List.of("ep_2"), true);
    assertEquals(new ReplayResult(List.of("dlv_9"), 1L << 40), replay);
    ReplayRequest request = (ReplayRequest) requests("Replay").get(0);
    assertTrue(request.getDryRun());
    assertFalse(request.hasFilter());
    client.replayMatching(
        DeliveryFilter.all().withEndpointId("ep_1").withStates(List.of(DeliveryState.DEAD)),
        2.5,
        false);
    request = (ReplayRequest) requests("Replay").get(1);
    assertEquals("ep_1", request.getFilter().getEndpointId());
    assertEquals(dev.webhookd.v1.DeliveryState.DELIVERY_STATE_DEAD, request.getFilter().getStates(0));
    assertEquals(2.5, request.getMaxPerSecond());
  }

  @Test
  void orderingKeysAreMapped() throws IOException {
    WebhookdClient client = client(WebhookdClient.builder(start()));

    EventDetail detail = client.getEvent("evt_ordered");
    assertEquals("customer-42", detail.event().orderingKey());
    assertEquals(2, detail.deliveries().size());
    Delivery retrying = detail.deliveries().get(0);
    assertEquals("customer-42", retrying.orderingKey());
    assertFalse(retrying.waitingForOrderingKey());
    assertEquals(DeliveryState.PENDING, retrying.state());
    assertEquals(LATER, retrying.nextAttemptAt());
    // Waiting for its predecessor: no next attempt.
    Delivery waiting = detail.deliveries().get(1);
    assertEquals("customer-42", waiting.orderingKey());
    assertTrue(waiting.waitingForOrderingKey());
    assertEquals(DeliveryState.PENDING, waiting.state());
    assertNull(waiting.nextAttemptAt());
  }

  @Test
  void createEndpointSendsTheOptions() throws IOException {
    WebhookdClient client = client(WebhookdClient.builder(start()));
    Map<String, String> headers = Map.of("Authorization", "Bearer t", "X-Tenant", "acme");
    Endpoint endpoint =
        client.createEndpoint(
            "https://example.com/hook",
            List.of("order.*"),
            CreateEndpointOptions.defaults()
                .withId("ep_1")
                .withSecret("s")
                .withDisabled(true)
                .withSignatureScheme(SignatureScheme.STANDARD)
                .withHeaders(headers));
    CreateEndpointRequest request = (CreateEndpointRequest) requests("CreateEndpoint").get(0);
    assertEquals("ep_1", request.getId());
    assertEquals("s", request.getSecret());
    assertTrue(request.getDisabled());
    assertEquals(
        dev.webhookd.v1.SignatureScheme.SIGNATURE_SCHEME_STANDARD, request.getSignatureScheme());
    assertEquals(headers, request.getHeadersMap());
    assertEquals(headers, endpoint.headers());

    Endpoint plain = client.createEndpoint("https://example.com/hook", List.of("order.*"));
    request = (CreateEndpointRequest) requests("CreateEndpoint").get(1);
    assertTrue(request.getHeadersMap().isEmpty());
    assertEquals(Map.of(), plain.headers());

    // withHeader adds one header, replacing one of the same name in any case.
    CreateEndpointOptions options =
        CreateEndpointOptions.defaults()
            .withHeaders(Map.of("x-tenant", "acme"))
            .withHeader("Authorization", "Bearer t")
            .withHeader("X-Tenant", "globex");
    assertEquals(Map.of("Authorization", "Bearer t", "X-Tenant", "globex"), options.headers());
    assertEquals(Map.of(), CreateEndpointOptions.defaults().headers());
    client.createEndpoint("https://example.com/hook", List.of("order.*"), options);
    assertEquals(
        options.headers(),
        ((CreateEndpointRequest) requests("CreateEndpoint").get(2)).getHeadersMap());
  }

  @Test
  void createEndpointSendsTheRetryPolicy() throws IOException {
    WebhookdClient client = client(WebhookdClient.builder(start()));
    RetrySchedule schedule =
        RetrySchedule.of(
            3, Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofNanos(1_500_000));
    Endpoint endpoint =
        client.createEndpoint(
            "https://example.com/hook",
            List.of("order.*"),
            CreateEndpointOptions.defaults().withId("ep_1").withRetryPolicy(schedule));
    CreateEndpointRequest request = (CreateEndpointRequest) requests("CreateEndpoint").get(0);
    assertTrue(request.hasRetryPolicy());
    assertEquals(3, request.getRetryPolicy().getMaxAttempts());
    assertEquals(List.of(0.2, 1.0, 0.0015), request.getRetryPolicy().getDelaysSecondsList());
    // The fake answers with the schedule it was sent.
    assertEquals(schedule, endpoint.retryPolicy());

    // Only the attempts: no delays are sent, and none come back.
    endpoint =
        client.createEndpoint(
            "https://example.com/hook",
            List.of("order.*"),
            CreateEndpointOptions.defaults().withRetryPolicy(RetrySchedule.of(7)));
    request = (CreateEndpointRequest) requests("CreateEndpoint").get(1);
    assertTrue(request.hasRetryPolicy());
    assertEquals(7, request.getRetryPolicy().getMaxAttempts());
    assertEquals(0, request.getRetryPolicy().getDelaysSecondsCount());
    assertEquals(new RetrySchedule(7, List.of()), endpoint.retryPolicy());

    // Without one (or with null): unset in the request, null in the result.
    assertNull(CreateEndpointOptions.defaults().retryPolicy());
    Endpoint plain =
        client.createEndpoint(
            "https://example.com/hook",
            List.of("order.*"),
            CreateEndpointOptions.defaults().withRetryPolicy(schedule).withRetryPolicy(null));
    assertFalse(((CreateEndpointRequest) requests("CreateEndpoint").get(2)).hasRetryPolicy());
    assertNull(plain.retryPolicy());
  }

  @Test
  void retrySchedulesAreImmutableAndChecked() {
    List<Duration> delays = new ArrayList<>(List.of(Duration.ofSeconds(1)));
    RetrySchedule schedule = new RetrySchedule(2, delays);
    delays.add(Duration.ofSeconds(2));
    assertEquals(List.of(Duration.ofSeconds(1)), schedule.delays());
    assertThrows(UnsupportedOperationException.class, () -> schedule.delays().clear());
    assertThrows(IllegalArgumentException.class, () -> RetrySchedule.of(-1));
    assertThrows(NullPointerException.class, () -> new RetrySchedule(1, null));
    assertThrows(NullPointerException.class, () -> RetrySchedule.of(1, (Duration) null));
    assertEquals(new RetrySchedule(0, List.of()), RetrySchedule.of(0));
  }

  @Test
  void updateEndpointSetsAndClearsTheRetryPolicy() throws IOException {
    WebhookdClient client = client(WebhookdClient.builder(start()));
    RetrySchedule schedule = RetrySchedule.of(3, Duration.ofMillis(200), Duration.ofSeconds(1));
    Endpoint set = client.updateEndpoint("ep_1", EndpointUpdate.none().withRetryPolicy(schedule));
    Endpoint withUrl =
        client.updateEndpoint(
            "ep_1",
            EndpointUpdate.none()
                .withUrl("https://new.example")
                .withRetryPolicy(RetrySchedule.of(0, Duration.ZERO)));
    // Clearing sends the path without a schedule; the last call wins.
    Endpoint cleared =
        client.updateEndpoint(
            "ep_1", EndpointUpdate.none().withRetryPolicy(schedule).withoutRetryPolicy());
    client.updateEndpoint(
        "ep_1", EndpointUpdate.none().withHeaders(Map.of()).withoutRetryPolicy());
    // Neither: the schedule is not in the mask.
    Endpoint kept =
        client.updateEndpoint(
            "ep_1",
            EndpointUpdate.none()
                .withUrl("https://new.example")
                .withEventTypes(List.of("a.*"))
                .withHeaders(Map.of("X-Tenant", "globex")));
    client.updateEndpoint("ep_1", EndpointUpdate.none());

    List<List<String>> masks = new ArrayList<>();
    List<RetrySchedule> sent = new ArrayList<>();
    for (Object request : requests("UpdateEndpoint")) {
      UpdateEndpointRequest update = (UpdateEndpointRequest) request;
      masks.add(update.getUpdateMask().getPathsList());
      sent.add(
          update.getEndpoint().hasRetryPolicy()
              ? Convert.retrySchedule(update.getEndpoint().getRetryPolicy())
              : null);
    }
    assertEquals(
        List.of(
            List.of("retry_policy"),
            List.of("url", "retry_policy"),
            List.of("retry_policy"),
            List.of("headers", "retry_policy"),
            List.of("url", "event_types", "headers"),
            List.of()),
        masks);
    assertEquals(
        Arrays.asList(schedule, RetrySchedule.of(0, Duration.ZERO), null, null, null, null), sent);
    // The fake answers with the endpoint it was sent.
    assertEquals(schedule, set.retryPolicy());
    assertEquals(RetrySchedule.of(0, Duration.ZERO), withUrl.retryPolicy());
    assertNull(cleared.retryPolicy());
    assertNull(kept.retryPolicy());
    assertEquals(Map.of("X-Tenant", "globex"), kept.headers());

    EndpointUpdate update = EndpointUpdate.none().withRetryPolicy(schedule);
    assertTrue(update.changesRetryPolicy());
    assertEquals(schedule, update.retryPolicy());
    assertFalse(EndpointUpdate.none().changesRetryPolicy());
    assertTrue(update.withoutRetryPolicy().changesRetryPolicy());
    assertNull(update.withoutRetryPolicy().retryPolicy());
    assertNull(EndpointUpdate.none().url());
    assertThrows(NullPointerException.class, () -> EndpointUpdate.none().withRetryPolicy(null));
  }

  @Test
  void createEndpointSendsTheFilter() throws IOException {
    WebhookdClient client = client(WebhookdClient.builder(start()));
    Map<String, Object> filter =
        Map.of(
            "order.total", Map.of("$gte", 100),
            "order.currency", Map.of("$in", List.of("EUR", "USD")));
    Endpoint endpoint =
        client.createEndpoint(
            "https://example.com/hook",
            List.of("order.*"),
            CreateEndpointOptions.defaults().withId("ep_1").withFilter(filter));
    // Sent as a Struct.
    CreateEndpointRequest request = (CreateEndpointRequest) requests("CreateEndpoint").get(0);
    assertTrue(request.hasFilter());
    assertEquals(ORDER_FILTER, request.getFilter());
    // The fake answers with the filter it was sent; numbers come back as Doubles.
    Map<String, Object> expected =
        Map.of(
            "order.total", Map.of("$gte", 100.0),
            "order.currency", Map.of("$in", List.of("EUR", "USD")));
    assertEquals(expected, endpoint.filter());

    // Without one (or with null): unset in the request, null in the result.
    assertNull(CreateEndpointOptions.defaults().filter());
    Endpoint plain =
        client.createEndpoint(
            "https://example.com/hook",
            List.of("order.*"),
            CreateEndpointOptions.defaults().withFilter(filter).withFilter(null));
    assertFalse(((CreateEndpointRequest) requests("CreateEndpoint").get(1)).hasFilter());
    assertNull(plain.filter());
    // The other options keep it.
    assertEquals(
        expected,
        CreateEndpointOptions.defaults()
            .withFilter(filter)
            .withId("ep_2")
            .withHeader("X-Tenant", "acme")
            .withRetryPolicy(RetrySchedule.of(3))
            .filter());
  }

  @Test
  void filtersAreCopiedAsJsonValues() {
    Map<String, Object> filter = new LinkedHashMap<>();
    List<Object> currencies = new ArrayList<>(List.of("EUR"));
    filter.put("order.currency", Map.of("$in", currencies));
    filter.put("order.coupon", null);
    filter.put("order.express", true);
    filter.put("order.items", Map.of("$gt", 2L));
    CreateEndpointOptions options = CreateEndpointOptions.defaults().withFilter(filter);
    currencies.add("USD");
    filter.put("order.status", "paid");
    Map<String, Object> expected = new HashMap<>();
    expected.put("order.currency", Map.of("$in", List.of("EUR")));
    expected.put("order.coupon", null);
    expected.put("order.express", true);
    expected.put("order.items", Map.of("$gt", 2.0));
    assertEquals(expected, options.filter());
    assertThrows(UnsupportedOperationException.class, () -> options.filter().clear());

    // Only JSON values: maps with string keys, iterables, strings, numbers, booleans, null.
    assertThrows(
        IllegalArgumentException.class,
        () -> CreateEndpointOptions.defaults().withFilter(Map.of("at", Instant.EPOCH)));
    assertThrows(
        IllegalArgumentException.class,
        () -> EndpointUpdate.none().withFilter(Map.of("amount", Map.of(1, 2))));

    // The record copies it too.
    Map<String, Object> mutable = new HashMap<>(Map.of("kind", "refund"));
    Endpoint endpoint =
        new Endpoint(
            "ep_1", "https://example.com", List.of(), true, "", null, "api", "", null, 0, null,
            null, "closed", SignatureScheme.WEBHOOKD, "", Map.of(), null, mutable);
    mutable.clear();
    assertEquals(Map.of("kind", "refund"), endpoint.filter());
  }

  @Test
  void updateEndpointSetsAndClearsTheFilter() throws IOException {
    WebhookdClient client = client(WebhookdClient.builder(start()));
    Map<String, Object> filter = Map.of("amount", Map.of("$gte", 100));
    Map<String, Object> expected = Map.of("amount", Map.of("$gte", 100.0));
    Endpoint set = client.updateEndpoint("ep_1", EndpointUpdate.none().withFilter(filter));
    Endpoint withUrl =
        client.updateEndpoint(
            "ep_1",
            EndpointUpdate.none()
                .withUrl("https://new.example")
                .withFilter(Map.of("kind", "refund")));
    // Removing sends the path without a filter; the last call wins.
    Endpoint cleared =
        client.updateEndpoint("ep_1", EndpointUpdate.none().withFilter(filter).withoutFilter());
    client.updateEndpoint("ep_1", EndpointUpdate.none().withoutRetryPolicy().withoutFilter());
    // Neither: the filter is not in the mask.
    Endpoint kept =
        client.updateEndpoint("ep_1", EndpointUpdate.none().withEventTypes(List.of("a.*")));

    List<List<String>> masks = new ArrayList<>();
    List<Struct> sent = new ArrayList<>();
    for (Object request : requests("UpdateEndpoint")) {
      UpdateEndpointRequest update = (UpdateEndpointRequest) request;
      masks.add(update.getUpdateMask().getPathsList());
      sent.add(update.getEndpoint().hasFilter() ? update.getEndpoint().getFilter() : null);
    }
    assertEquals(
        List.of(
            List.of("filter"),
            List.of("url", "filter"),
            List.of("filter"),
            List.of("retry_policy", "filter"),
            List.of("event_types")),
        masks);
    assertEquals(
        Arrays.asList(
            Struct.newBuilder().putFields("amount", object("$gte", number(100))).build(),
            Struct.newBuilder().putFields("kind", string("refund")).build(),
            null,
            null,
            null),
        sent);
    // The fake answers with the endpoint it was sent.
    assertEquals(expected, set.filter());
    assertEquals(Map.of("kind", "refund"), withUrl.filter());
    assertNull(cleared.filter());
    assertNull(kept.filter());

    EndpointUpdate update = EndpointUpdate.none().withFilter(filter);
    assertTrue(update.changesFilter());
    assertEquals(expected, update.filter());
    assertFalse(EndpointUpdate.none().changesFilter());
    assertTrue(update.withoutFilter().changesFilter());
    assertNull(update.withoutFilter().filter());
    // The other changes keep it, and it keeps them.
    assertEquals(expected, update.withUrl("https://x.example").withoutRetryPolicy().filter());
    assertTrue(update.withoutRetryPolicy().changesRetryPolicy());
    assertEquals(
        RetrySchedule.of(2),
        EndpointUpdate.none().withRetryPolicy(RetrySchedule.of(2)).withoutFilter().retryPolicy());
    assertThrows(NullPointerException.class, () -> EndpointUpdate.none().withFilter(null));
  }

  @Test
  void updateEndpointBuildsTheMaskFromTheArgumentsGiven() throws IOException {
    WebhookdClient client = client(WebhookdClient.builder(start()));
    client.updateEndpoint("ep_1", "https://new.example", null);
    client.updateEndpoint("ep_1", "https://new.example", List.of("a.*"));
    client.updateEndpoint("ep_1", null, List.of("a.*"));
    Endpoint withHeaders =
        client.updateEndpoint("ep_1", null, null, Map.of("X-Tenant", "globex"));
    // An empty map removes every custom header: it is still in the mask.
    Endpoint withoutHeaders = client.updateEndpoint("ep_1", null, List.of("a.*"), Map.of());
    client.updateEndpoint("ep_1", "https://new.example", null, null);
    List<List<String>> masks = new ArrayList<>();
    List<Map<String, String>> headers = new ArrayList<>();
    for (Object request : requests("UpdateEndpoint")) {
      masks.add(((UpdateEndpointRequest) request).getUpdateMask().getPathsList());
      headers.add(((UpdateEndpointRequest) request).getEndpoint().getHeadersMap());
    }
    assertEquals(
        List.of(
            List.of("url"),
            List.of("url", "event_types"),
            List.of("event_types"),
            List.of("headers"),
            List.of("event_types", "headers"),
            List.of("url")),
        masks);
    assertEquals(
        List.of(Map.of(), Map.of(), Map.of(), Map.of("X-Tenant", "globex"), Map.of(), Map.of()),
        headers);
    // The fake answers with the endpoint it was sent.
    assertEquals(Map.of("X-Tenant", "globex"), withHeaders.headers());
    assertEquals(Map.of(), withoutHeaders.headers());
  }

  @Test
  void enumsMatchTheProtoValues() {
    for (dev.webhookd.v1.DeliveryState value : dev.webhookd.v1.DeliveryState.values()) {
      if (value != dev.webhookd.v1.DeliveryState.UNRECOGNIZED) {
        assertEquals(value, Convert.toProto(Convert.deliveryState(value)), value.name());
      }
    }
    for (dev.webhookd.v1.UpdateKind value : dev.webhookd.v1.UpdateKind.values()) {
      if (value != dev.webhookd.v1.UpdateKind.UNRECOGNIZED) {
        assertEquals(value.name(), "UPDATE_KIND_" + Convert.updateKind(value).name());
      }
    }
    for (dev.webhookd.v1.ApiKeyRole value : dev.webhookd.v1.ApiKeyRole.values()) {
      if (value != dev.webhookd.v1.ApiKeyRole.UNRECOGNIZED) {
        assertEquals(value, Convert.toProto(Convert.apiKeyRole(value)), value.name());
      }
    }
    for (dev.webhookd.v1.SignatureScheme value : dev.webhookd.v1.SignatureScheme.values()) {
      if (value != dev.webhookd.v1.SignatureScheme.UNRECOGNIZED) {
        assertEquals(value, Convert.toProto(Convert.signatureScheme(value)), value.name());
      }
    }
    assertEquals(DeliveryState.UNSPECIFIED, Convert.deliveryState(dev.webhookd.v1.DeliveryState.UNRECOGNIZED));
    assertEquals("in_flight", DeliveryState.IN_FLIGHT.toString());
    assertEquals(UpdateKind.RETRY_SCHEDULED, UpdateKind.fromName("retry_scheduled"));
    assertEquals("admin", ApiKeyRole.ADMIN.toString());
    assertEquals(SignatureScheme.STANDARD, SignatureScheme.fromName("standard"));
  }

  @Test
  void loopbackAddressesUsePlaintext() {
    Map<String, Boolean> cases = new LinkedHashMap<>();
    cases.put("127.0.0.1:50051", true);
    cases.put("127.8.9.10:1", true);
    cases.put("localhost:50051", true);
    cases.put("LOCALHOST:1", true);
    cases.put("[::1]:50051", true);
    cases.put("dns:///localhost:50051", true);
    cases.put("unix:///run/webhookd.sock", true);
    cases.put("10.0.0.1:50051", false);
    cases.put("webhookd.internal:443", false);
    cases.put("dns:///example.com:443", false);
    cases.put("localhost.example.com:1", false);
    cases.put("[2001:db8::1]:50051", false);
    cases.forEach(
        (address, loopback) ->
            assertEquals(loopback, WebhookdClient.isLoopback(address), address));
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = WebhookdClientTest.class.getResourceAsStream("/tls/" + name)) {
      assertNotNull(in, name);
      return in.readAllBytes();
    }
  }

  @Test
  void tlsWithAPrivateCa() throws IOException {
    ServerCredentials credentials;
    try (InputStream chain = WebhookdClientTest.class.getResourceAsStream("/tls/server.pem");
        InputStream key = WebhookdClientTest.class.getResourceAsStream("/tls/server.key")) {
      credentials = TlsServerCredentials.create(chain, key);
    }
    String address = start(credentials);

    WebhookdClient trusted =
        client(WebhookdClient.builder(address).rootCertificates(resource("ca.pem")));
    assertEquals("ep_1", trusted.getEndpoint("ep_1").id(), "TLS with the private CA");

    WebhookdClient plaintext =
        client(WebhookdClient.builder(address).retryPolicy(RetryPolicy.NONE));
    assertEquals(
        Status.Code.UNAVAILABLE,
        assertThrows(WebhookdException.class, () -> plaintext.getEndpoint("ep_1")).code(),
        "loopback defaults to plaintext, which a TLS server refuses");

    WebhookdClient systemRoots =
        client(WebhookdClient.builder(address).tls(true).retryPolicy(RetryPolicy.NONE));
    assertEquals(
        Status.Code.UNAVAILABLE,
        assertThrows(WebhookdException.class, () -> systemRoots.getEndpoint("ep_1")).code(),
        "the system roots do not trust the test CA");

    assertThrows(
        IllegalStateException.class,
        () -> WebhookdClient.builder(address).tls(false).rootCertificates(resource("ca.pem")).build());
  }
}
