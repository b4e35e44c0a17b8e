package dev.webhookd.client;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.protobuf.FieldMask;
import dev.webhookd.v1.CreateApiKeyRequest;
import dev.webhookd.v1.CreateApiKeyResponse;
import dev.webhookd.v1.CreateEndpointRequest;
import dev.webhookd.v1.DeleteEndpointRequest;
import dev.webhookd.v1.DisableEndpointRequest;
import dev.webhookd.v1.DispatchRequest;
import dev.webhookd.v1.DispatchResponse;
import dev.webhookd.v1.EnableEndpointRequest;
import dev.webhookd.v1.GetEndpointRequest;
import dev.webhookd.v1.GetEventRequest;
import dev.webhookd.v1.GetEventResponse;
import dev.webhookd.v1.GetMetricsRequest;
import dev.webhookd.v1.ListApiKeysRequest;
import dev.webhookd.v1.ListDeadLettersRequest;
import dev.webhookd.v1.ListDeliveriesRequest;
import dev.webhookd.v1.ListDeliveriesResponse;
import dev.webhookd.v1.ListEndpointsRequest;
import dev.webhookd.v1.ListEndpointsResponse;
import dev.webhookd.v1.ListEventTypesRequest;
import dev.webhookd.v1.ListEventsRequest;
import dev.webhookd.v1.ListEventsResponse;
import dev.webhookd.v1.RedriveDeadLettersRequest;
import dev.webhookd.v1.ReplayRequest;
import dev.webhookd.v1.ReplayResponse;
import dev.webhookd.v1.RevokeApiKeyRequest;
import dev.webhookd.v1.RotateEndpointSecretRequest;
import dev.webhookd.v1.RotateEndpointSecretResponse;
import dev.webhookd.v1.StreamDeliveriesRequest;
import dev.webhookd.v1.UpdateEndpointRequest;
import dev.webhookd.v1.WebhookServiceGrpc;
import dev.webhookd.v1.WebhookServiceGrpc.WebhookServiceBlockingStub;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A client of the webhookd gRPC API: one method per call of {@code webhook.v1.WebhookService}.
 *
 * <pre>{@code
 * try (WebhookdClient client = WebhookdClient.builder("webhookd.internal:50051")
 *     .apiKey(System.getenv("WEBHOOKD_API_KEY"))
 *     .build()) {
 *   DispatchResult result = client.dispatch("order.created", Map.of("order_id", "ord_1"));
 * }
 * }</pre>
 *
 * <p>Arguments and results are this package's types ({@link java.time.Instant}, {@link
 * java.time.Duration}, {@code long}, enums), never generated classes. Every failed call throws a
 * {@link WebhookdException}. Unary calls have a deadline (10 s by default) and those that are safe
 * to repeat are retried under a {@link RetryPolicy}. A client is thread-safe: make one and reuse
 * it, and close it to release its connection.
 */
public final class WebhookdClient implements AutoCloseable {
  /** The version of this SDK, as in {@code clients/VERSION}. */
  public static final String VERSION = loadVersion();

  /** The deadline of unary calls unless {@link Builder#timeout} says otherwise: 10 s. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private static final Gson GSON =
      new GsonBuilder().disableHtmlEscaping().serializeNulls().create();
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final ManagedChannel managedChannel;
  private final Channel channel;
  private final WebhookServiceBlockingStub stub;
  private final RetryPolicy retryPolicy;
  private final boolean autoIdempotencyKey;

  private WebhookdClient(Builder builder) {
    this.managedChannel =
        Grpc.newChannelBuilder(builder.address, builder.channelCredentials())
            .userAgent("webhookd-java/" + VERSION)
            .build();
    List<ClientInterceptor> interceptors = new ArrayList<>(builder.interceptors);
    interceptors.add(new DefaultDeadlines(builder.timeout, builder.streamTimeout));
    if (builder.apiKey != null) {
      Metadata headers = new Metadata();
      headers.put(AUTHORIZATION, "Bearer " + builder.apiKey);
      interceptors.add(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    this.channel = ClientInterceptors.intercept(managedChannel, interceptors);
    this.stub = WebhookServiceGrpc.newBlockingStub(channel);
    this.retryPolicy = builder.retryPolicy;
    this.autoIdempotencyKey = builder.autoIdempotencyKey;
  }

  /**
   * Starts building a client of the webhookd at {@code address}.
   *
   * @param address {@code host:port}, or any gRPC target URI such as {@code dns:///host:port}
   * @return a builder
   */
  public static Builder builder(String address) {
    return new Builder().address(address);
  }

  /**
   * Starts building a client; set the {@link Builder#address address} before {@link
   * Builder#build()}.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  // Dispatch and replay.

  /**
   * Dispatches an event to every active endpoint subscribed to its type.
   *
   * @param eventType the event type, such as {@code "order.created"}
   * @param payload the payload, serialized to a JSON object: maps, lists, strings, numbers,
   *     booleans, nulls and plain objects
   * @return the event id, delivery ids and whether it was a duplicate
   * @throws WebhookdException if the call fails
   */
  public DispatchResult dispatch(String eventType, Map<String, ?> payload) {
    return dispatch(eventType, payload, DispatchOptions.defaults());
  }

  /**
   * Dispatches an event with an idempotency key, an ordering key or to chosen endpoints.
   *
   * @param eventType the event type, such as {@code "order.created"}
   * @param payload the payload, serialized to a JSON object: maps, lists, strings, numbers,
   *     booleans, nulls and plain objects
   * @param options the idempotency key, ordering key and endpoints
   * @return the event id, delivery ids and whether it was a duplicate
   * @throws WebhookdException if the call fails
   */
  public DispatchResult dispatch(String eventType, Map<String, ?> payload, DispatchOptions options) {
    Objects.requireNonNull(payload, "payload");
    return dispatchJson(eventType, GSON.toJson(payload), options);
  }

  /**
   * Dispatches an event whose payload is already JSON text. Numbers keep their exact text, so
   * integers above 2<sup>53</sup> and decimals such as {@code 99.990} stay as written.
   *
   * @param eventType the event type, such as {@code "order.created"}
   * @param payloadJson a JSON object
   * @return the event id, delivery ids and whether it was a duplicate
   * @throws WebhookdException if the call fails
   */
  public DispatchResult dispatchJson(String eventType, String payloadJson) {
    return dispatchJson(eventType, payloadJson, DispatchOptions.defaults());
  }

  /**
   * Dispatches an event whose payload is already JSON text, with an idempotency key, an ordering
   * key or to chosen endpoints.
   *
   * <p>Unless {@link Builder#autoIdempotencyKey autoIdempotencyKey(false)} was set, a dispatch
   * without an idempotency key gets a generated one ({@code sdk-} and a random UUID), so that it
   * is retried safely: a retry that reaches webhookd after the first attempt did returns the same
   * event, marked as a duplicate. The retries send the same request: the same idempotency key,
   * and the same ordering key.
   *
   * <p>When the server's event-type catalog ({@link #listEventTypes()}) gives the type a JSON
   * Schema, a payload that does not match it fails with {@code INVALID_ARGUMENT}, reason {@code
   * SCHEMA_VIOLATION}, and a field violation per mismatch named {@code payload} and the JSON
   * pointer of the value ({@code payload/order_id}; {@code payload/} for the payload itself). A
   * type that is not in a catalog that refuses unknown types fails with {@code INVALID_ARGUMENT},
   * reason {@code UNKNOWN_EVENT_TYPE}, and a field violation on {@code event_type}.
   *
   * @param eventType the event type, such as {@code "order.created"}
   * @param payloadJson a JSON object
   * @param options the idempotency key, ordering key and endpoints
   * @return the event id, delivery ids and whether it was a duplicate
   * @throws WebhookdException if the call fails ({@code INVALID_ARGUMENT}, reason {@code
   *     SCHEMA_VIOLATION} or {@code UNKNOWN_EVENT_TYPE}, for a payload or type that the event-type
   *     catalog refuses)
   */
  public DispatchResult dispatchJson(
      String eventType, String payloadJson, DispatchOptions options) {
    String idempotencyKey = options.idempotencyKey();
    if (idempotencyKey.isEmpty() && autoIdempotencyKey) {
      idempotencyKey = "sdk-" + UUID.randomUUID();
    }
    DispatchRequest request =
        DispatchRequest.newBuilder()
            .setEventType(eventType)
            .setPayloadJson(payloadJson)
            .setIdempotencyKey(idempotencyKey)
            .setOrderingKey(options.orderingKey())
            .addAllEndpointIds(options.endpointIds())
            .build();
    DispatchResponse response = call(!idempotencyKey.isEmpty(), () -> stub.dispatch(request));
    return new DispatchResult(
        response.getEventId(), response.getDeliveryIdsList(), response.getDuplicate());
  }

  /**
   * Sends a stored event again, to the endpoints of its original deliveries, as new deliveries
   * signed afresh with the same event id. Not retried.
   *
   * @param eventId the event
   * @return the new deliveries
   * @throws WebhookdException if the call fails
   */
  public ReplayResult replay(String eventId) {
    return replay(eventId, List.of(), false);
  }

  /**
   * Sends a stored event again as new deliveries signed afresh with the same event id. Not retried.
   *
   * @param eventId the event
   * @param endpointIds the endpoints to send it to, subscribed or not; empty for those of the
   *     event's original deliveries
   * @param dryRun count what would be replayed, create nothing
   * @return the new deliveries, or their count with a dry run
   * @throws WebhookdException if the call fails
   */
  public ReplayResult replay(String eventId, List<String> endpointIds, boolean dryRun) {
    ReplayRequest request =
        ReplayRequest.newBuilder()
            .setEventId(eventId)
            .addAllEndpointIds(endpointIds)
            .setDryRun(dryRun)
            .build();
    return replayResult(call(false, () -> stub.replay(request)));
  }

  /**
   * Sends every delivery that matches the filter again to its endpoint. Not retried.
   *
   * @param filter which deliveries, for example the dead ones of one endpoint in a time range
   * @return the new deliveries
   * @throws WebhookdException if the call fails
   */
  public ReplayResult replayMatching(DeliveryFilter filter) {
    return replayMatching(filter, 0, false);
  }

  /**
   * Sends every delivery that matches the filter again to its endpoint. Not retried.
   *
   * @param filter which deliveries, for example the dead ones of one endpoint in a time range
   * @param maxPerSecond spread the new deliveries so that at most this many per second become
   *     due, to spare a recovering endpoint; 0 for no cap
   * @param dryRun count what would be replayed, create nothing
   * @return the new deliveries (the first 1000), or their count with a dry run
   * @throws WebhookdException if the call fails
   */
  public ReplayResult replayMatching(DeliveryFilter filter, double maxPerSecond, boolean dryRun) {
    ReplayRequest request =
        ReplayRequest.newBuilder()
            .setFilter(Convert.toProto(filter))
            .setMaxPerSecond(maxPerSecond)
            .setDryRun(dryRun)
            .build();
    return replayResult(call(false, () -> stub.replay(request)));
  }

  private static ReplayResult replayResult(ReplayResponse response) {
    return new ReplayResult(response.getDeliveryIdsList(), response.getCount());
  }

  // Streams and metrics.

  /**
   * Opens a stream of delivery and endpoint state changes, with the client's {@link
   * Builder#streamTimeout stream timeout} (none by default). Not retried: to resume, open a new
   * one from the last sequence seen ({@link StreamFilter#withSinceSequence}).
   *
   * @param filter which updates to receive; {@link StreamFilter#all()} for all of them
   * @return the updates; close the stream when done
   */
  public DeliveryStream streamDeliveries(StreamFilter filter) {
    return openStream(filter, stub);
  }

  /**
   * Opens a stream of delivery and endpoint state changes that ends with {@code
   * DEADLINE_EXCEEDED} after {@code timeout}.
   *
   * @param filter which updates to receive; {@link StreamFilter#all()} for all of them
   * @param timeout how long the stream may stay open
   * @return the updates; close the stream when done
   */
  public DeliveryStream streamDeliveries(StreamFilter filter, Duration timeout) {
    return openStream(filter, stub.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS));
  }

  private DeliveryStream openStream(StreamFilter filter, WebhookServiceBlockingStub streamStub) {
    StreamDeliveriesRequest.Builder request =
        StreamDeliveriesRequest.newBuilder()
            .addAllEndpointIds(filter.endpointIds())
            .addAllEventTypes(filter.eventTypes())
            .setSinceSequence(filter.sinceSequence());
    for (DeliveryState state : filter.states()) {
      request.addStates(Convert.toProto(state));
    }
    if (filter.sinceTime() != null) {
      request.setSinceTime(Convert.timestamp(filter.sinceTime()));
    }
    Context.CancellableContext context = Context.current().withCancellation();
    Context previous = context.attach();
    try {
      return new DeliveryStream(context, streamStub.streamDeliveries(request.build()));
    } catch (StatusRuntimeException e) {
      context.cancel(e);
      throw WebhookdException.from(e);
    } finally {
      context.detach(previous);
    }
  }

  /**
   * Returns delivery statistics over the last 5 minutes.
   *
   * @return the statistics
   * @throws WebhookdException if the call fails
   */
  public Metrics getMetrics() {
    return getMetrics(Duration.ZERO, null);
  }

  /**
   * Returns delivery statistics over a time window.
   *
   * @param window the window, in whole seconds; zero for the last 5 minutes, at most 24 hours
   * @param endpointId report on this endpoint only, or null for all
   * @return the statistics
   * @throws WebhookdException if the call fails
   */
  public Metrics getMetrics(Duration window, String endpointId) {
    GetMetricsRequest request =
        GetMetricsRequest.newBuilder()
            .setWindowSeconds((int) Math.min(Math.max(window.getSeconds(), 0), Integer.MAX_VALUE))
            .setEndpointId(endpointId == null ? "" : endpointId)
            .build();
    return Convert.metrics(call(true, () -> stub.getMetrics(request)));
  }

  // The event log and the dead letters.

  /**
   * Returns an event exactly as it was signed, with every delivery (replays included) and every
   * attempt.
   *
   * @param eventId the event
   * @return the event and its deliveries
   * @throws WebhookdException if the call fails ({@code NOT_FOUND}, reason {@code
   *     EVENT_NOT_FOUND}, for an unknown event)
   */
  public EventDetail getEvent(String eventId) {
    GetEventRequest request = GetEventRequest.newBuilder().setEventId(eventId).build();
    GetEventResponse response = call(true, () -> stub.getEvent(request));
    return new EventDetail(
        Convert.event(response.getEvent()), Convert.deliveries(response.getDeliveriesList()));
  }

  /**
   * Returns the first page of the event log, oldest first.
   *
   * @return up to 100 events
   * @throws WebhookdException if the call fails
   */
  public Page<Event> listEvents() {
    return listEvents(ListEventsOptions.defaults());
  }

  /**
   * Pages through the event log, oldest first.
   *
   * @param options which events, and which page
   * @return one page of events
   * @throws WebhookdException if the call fails
   */
  public Page<Event> listEvents(ListEventsOptions options) {
    ListEventsRequest.Builder request =
        ListEventsRequest.newBuilder()
            .addAllEventTypes(options.eventTypes())
            .setEndpointId(options.endpointId())
            .setPageSize(options.pageSize())
            .setPageToken(options.pageToken());
    if (options.startTime() != null) {
      request.setStartTime(Convert.timestamp(options.startTime()));
    }
    if (options.endTime() != null) {
      request.setEndTime(Convert.timestamp(options.endTime()));
    }
    ListEventsResponse response = call(true, () -> stub.listEvents(request.build()));
    List<Event> events = new ArrayList<>(response.getEventsCount());
    for (dev.webhookd.v1.Event event : response.getEventsList()) {
      events.add(Convert.event(event));
    }
    return new Page<>(events, response.getNextPageToken());
  }

  /**
   * Returns the first page of the deliveries that match a filter, oldest first.
   *
   * @param filter which deliveries; {@link DeliveryFilter#all()} for all
   * @return up to 100 deliveries
   * @throws WebhookdException if the call fails
   */
  public Page<Delivery> listDeliveries(DeliveryFilter filter) {
    return listDeliveries(filter, 0, "");
  }

  /**
   * Pages through the deliveries that match a filter, oldest first.
   *
   * @param filter which deliveries; {@link DeliveryFilter#all()} for all
   * @param pageSize at most this many (0: the server's default, 100; at most 1000)
   * @param pageToken a previous page's {@link Page#nextPageToken()}; empty for the first page
   * @return one page of deliveries
   * @throws WebhookdException if the call fails
   */
  public Page<Delivery> listDeliveries(DeliveryFilter filter, int pageSize, String pageToken) {
    ListDeliveriesRequest request =
        ListDeliveriesRequest.newBuilder()
            .setFilter(Convert.toProto(filter))
            .setPageSize(pageSize)
            .setPageToken(pageToken)
            .build();
    return deliveryPage(call(true, () -> stub.listDeliveries(request)));
  }

  /**
   * Returns the first page of the dead-lettered deliveries that match a filter, oldest first.
   *
   * @param filter which deliveries (its states are ignored); {@link DeliveryFilter#all()} for all
   * @return up to 100 deliveries
   * @throws WebhookdException if the call fails
   */
  public Page<Delivery> listDeadLetters(DeliveryFilter filter) {
    return listDeadLetters(filter, 0, "");
  }

  /**
   * Pages through the dead-lettered deliveries that match a filter, oldest first.
   *
   * @param filter which deliveries (its states are ignored); {@link DeliveryFilter#all()} for all
   * @param pageSize at most this many (0: the server's default, 100; at most 1000)
   * @param pageToken a previous page's {@link Page#nextPageToken()}; empty for the first page
   * @return one page of deliveries
   * @throws WebhookdException if the call fails
   */
  public Page<Delivery> listDeadLetters(DeliveryFilter filter, int pageSize, String pageToken) {
    ListDeadLettersRequest request =
        ListDeadLettersRequest.newBuilder()
            .setFilter(Convert.toProto(filter))
            .setPageSize(pageSize)
            .setPageToken(pageToken)
            .build();
    return deliveryPage(call(true, () -> stub.listDeadLetters(request)));
  }

  private static Page<Delivery> deliveryPage(ListDeliveriesResponse response) {
    return new Page<>(
        Convert.deliveries(response.getDeliveriesList()), response.getNextPageToken());
  }

  /**
   * Gives these dead-lettered deliveries a fresh retry cycle. Not retried.
   *
   * @param deliveryIds the deliveries
   * @return how many were moved back to pending
   * @throws WebhookdException if the call fails
   */
  public long redriveDeadLetters(List<String> deliveryIds) {
    return redriveDeadLetters(deliveryIds, null, false);
  }

  /**
   * Gives every dead-lettered delivery that matches the filter a fresh retry cycle. Not retried.
   *
   * @param filter which deliveries; {@link DeliveryFilter#all()} for every dead letter
   * @return how many were moved back to pending
   * @throws WebhookdException if the call fails
   */
  public long redriveDeadLetters(DeliveryFilter filter) {
    return redriveDeadLetters(null, filter, false);
  }

  /**
   * Gives dead-lettered deliveries a fresh retry cycle: those listed, or, when none is, every one
   * that matches the filter. Not retried.
   *
   * @param deliveryIds the deliveries, or null or empty to use the filter
   * @param filter which deliveries when none is listed; null matches every dead letter
   * @param dryRun count what would be redriven, change nothing
   * @return how many were (or would be) moved back to pending
   * @throws WebhookdException if the call fails
   */
  public long redriveDeadLetters(List<String> deliveryIds, DeliveryFilter filter, boolean dryRun) {
    RedriveDeadLettersRequest.Builder request =
        RedriveDeadLettersRequest.newBuilder().setDryRun(dryRun);
    if (deliveryIds != null) {
      request.addAllDeliveryIds(deliveryIds);
    }
    if (filter != null) {
      request.setFilter(Convert.toProto(filter));
    }
    return call(false, () -> stub.redriveDeadLetters(request.build())).getCount();
  }

  // Endpoints.

  /**
   * Creates an active endpoint with a generated id, signed with the server's default secret. Not
   * retried.
   *
   * @param url where deliveries are sent, http(s) with a host
   * @param eventTypes the event types and patterns it subscribes to ({@code "order.*"})
   * @return the endpoint
   * @throws WebhookdException if the call fails
   */
  public Endpoint createEndpoint(String url, List<String> eventTypes) {
    return createEndpoint(url, eventTypes, CreateEndpointOptions.defaults());
  }

  /**
   * Creates an endpoint. Not retried.
   *
   * @param url where deliveries are sent, http(s) with a host
   * @param eventTypes the event types and patterns it subscribes to ({@code "order.*"})
   * @param options its id, secret, signature scheme, custom headers, retry schedule, payload
   *     filter, and whether it starts disabled
   * @return the endpoint
   * @throws WebhookdException if the call fails ({@code ALREADY_EXISTS} for a taken id; {@code
   *     INVALID_ARGUMENT} for a header webhookd sets itself, with the field violation {@code
   *     headers.<Name>}, for an invalid retry schedule, with the field violation {@code
   *     retry_policy.max_attempts} or {@code retry_policy.delays_seconds[i]}, or for an invalid
   *     payload filter, with a field violation under {@code filter})
   */
  public Endpoint createEndpoint(
      String url, List<String> eventTypes, CreateEndpointOptions options) {
    CreateEndpointRequest.Builder builder =
        CreateEndpointRequest.newBuilder()
            .setId(options.id())
            .setUrl(url)
            .addAllEventTypes(eventTypes)
            .setSecret(options.secret())
            .setDisabled(options.disabled())
            .setSignatureScheme(Convert.toProto(options.signatureScheme()))
            .putAllHeaders(options.headers());
    if (options.retryPolicy() != null) {
      builder.setRetryPolicy(Convert.toProto(options.retryPolicy()));
    }
    if (options.filter() != null) {
      builder.setFilter(Convert.struct(options.filter()));
    }
    CreateEndpointRequest request = builder.build();
    return Convert.endpoint(call(false, () -> stub.createEndpoint(request)));
  }

  /**
   * Returns an endpoint.
   *
   * @param id the endpoint id
   * @return the endpoint
   * @throws WebhookdException if the call fails ({@code NOT_FOUND}, reason {@code
   *     ENDPOINT_NOT_FOUND}, for an unknown endpoint)
   */
  public Endpoint getEndpoint(String id) {
    GetEndpointRequest request = GetEndpointRequest.newBuilder().setId(id).build();
    return Convert.endpoint(call(true, () -> stub.getEndpoint(request)));
  }

  /**
   * Returns the first page of the endpoints.
   *
   * @return up to 100 endpoints
   * @throws WebhookdException if the call fails
   */
  public Page<Endpoint> listEndpoints() {
    return listEndpoints(0, "");
  }

  /**
   * Pages through the endpoints.
   *
   * @param pageSize at most this many (0: the server's default, 100; at most 1000)
   * @param pageToken a previous page's {@link Page#nextPageToken()}; empty for the first page
   * @return one page of endpoints
   * @throws WebhookdException if the call fails
   */
  public Page<Endpoint> listEndpoints(int pageSize, String pageToken) {
    ListEndpointsRequest request =
        ListEndpointsRequest.newBuilder().setPageSize(pageSize).setPageToken(pageToken).build();
    ListEndpointsResponse response = call(true, () -> stub.listEndpoints(request));
    List<Endpoint> endpoints = new ArrayList<>(response.getEndpointsCount());
    for (dev.webhookd.v1.Endpoint endpoint : response.getEndpointsList()) {
      endpoints.add(Convert.endpoint(endpoint));
    }
    return new Page<>(endpoints, response.getNextPageToken());
  }

  /**
   * Changes the URL and/or the subscriptions of an endpoint; the update mask is built from the
   * arguments that are not null. Its custom headers, retry schedule and payload filter are kept.
   *
   * @param id the endpoint id
   * @param url the new URL, or null to keep it; it applies to the next attempt of every pending
   *     delivery
   * @param eventTypes the new event types and patterns, or null to keep them
   * @return the endpoint
   * @throws WebhookdException if the call fails
   */
  public Endpoint updateEndpoint(String id, String url, List<String> eventTypes) {
    return updateEndpoint(id, url, eventTypes, null);
  }

  /**
   * Changes the URL, the subscriptions and/or the custom headers of an endpoint; the update mask is
   * built from the arguments that are not null. Its retry schedule and payload filter are kept.
   *
   * @param id the endpoint id
   * @param url the new URL, or null to keep it; it applies to the next attempt of every pending
   *     delivery
   * @param eventTypes the new event types and patterns, or null to keep them
   * @param headers the new custom headers, replacing all of them (an empty map removes them), or
   *     null to keep them; see {@link CreateEndpointOptions#withHeaders(Map)} for the rules. They
   *     apply to the next attempt of every pending delivery
   * @return the endpoint
   * @throws WebhookdException if the call fails ({@code INVALID_ARGUMENT} for a header webhookd
   *     sets itself, with the field violation {@code endpoint.headers.<Name>})
   */
  public Endpoint updateEndpoint(
      String id, String url, List<String> eventTypes, Map<String, String> headers) {
    EndpointUpdate update = EndpointUpdate.none();
    if (url != null) {
      update = update.withUrl(url);
    }
    if (eventTypes != null) {
      update = update.withEventTypes(eventTypes);
    }
    if (headers != null) {
      update = update.withHeaders(headers);
    }
    return updateEndpoint(id, update);
  }

  /**
   * Changes the fields of an endpoint that {@code update} sets (the update mask is built from
   * them): its URL, subscriptions, custom headers, retry schedule and/or payload filter. The others
   * are kept.
   *
   * <pre>{@code
   * client.updateEndpoint("ep_flaky", EndpointUpdate.none()
   *     .withRetryPolicy(RetrySchedule.of(5, Duration.ofSeconds(1), Duration.ofSeconds(30))));
   * client.updateEndpoint("ep_flaky", EndpointUpdate.none().withoutRetryPolicy()); // the config's
   * client.updateEndpoint("ep_flaky", EndpointUpdate.none().withoutFilter()); // every event
   * }</pre>
   *
   * @param id the endpoint id
   * @param update the changes
   * @return the endpoint
   * @throws WebhookdException if the call fails ({@code INVALID_ARGUMENT} for a header webhookd
   *     sets itself, with the field violation {@code endpoint.headers.<Name>}, for an invalid
   *     retry schedule, with the field violation {@code endpoint.retry_policy.max_attempts} or
   *     {@code endpoint.retry_policy.delays_seconds[i]}, or for an invalid payload filter, with a
   *     field violation under {@code endpoint.filter})
   */
  public Endpoint updateEndpoint(String id, EndpointUpdate update) {
    dev.webhookd.v1.Endpoint.Builder endpoint = dev.webhookd.v1.Endpoint.newBuilder().setId(id);
    FieldMask.Builder mask = FieldMask.newBuilder();
    if (update.url() != null) {
      endpoint.setUrl(update.url());
      mask.addPaths("url");
    }
    if (update.eventTypes() != null) {
      endpoint.addAllEventTypes(update.eventTypes());
      mask.addPaths("event_types");
    }
    if (update.headers() != null) {
      endpoint.putAllHeaders(update.headers());
      mask.addPaths("headers");
    }
    if (update.changesRetryPolicy()) {
      // Without a schedule, the path alone removes it: back to the config's.
      if (update.retryPolicy() != null) {
        endpoint.setRetryPolicy(Convert.toProto(update.retryPolicy()));
      }
      mask.addPaths("retry_policy");
    }
    if (update.changesFilter()) {
      // Without a filter, the path alone removes it.
      if (update.filter() != null) {
        endpoint.setFilter(Convert.struct(update.filter()));
      }
      mask.addPaths("filter");
    }
    UpdateEndpointRequest request =
        UpdateEndpointRequest.newBuilder().setEndpoint(endpoint).setUpdateMask(mask).build();
    return Convert.endpoint(call(true, () -> stub.updateEndpoint(request)));
  }

  /**
   * Removes an endpoint; its pending deliveries are cancelled, its history stays in the log. Not
   * retried.
   *
   * @param id the endpoint id
   * @return how many pending deliveries were cancelled
   * @throws WebhookdException if the call fails
   */
  public long deleteEndpoint(String id) {
    DeleteEndpointRequest request = DeleteEndpointRequest.newBuilder().setId(id).build();
    return call(false, () -> stub.deleteEndpoint(request)).getCancelledDeliveries();
  }

  /**
   * Re-enables an endpoint, resets its failure count and resumes its paused deliveries.
   *
   * @param id the endpoint id
   * @return the endpoint
   * @throws WebhookdException if the call fails
   */
  public Endpoint enableEndpoint(String id) {
    EnableEndpointRequest request = EnableEndpointRequest.newBuilder().setId(id).build();
    return Convert.endpoint(call(true, () -> stub.enableEndpoint(request)));
  }

  /**
   * Pauses an endpoint ("disabled by an operator"): new events are stored but not sent until it is
   * enabled again.
   *
   * @param id the endpoint id
   * @return the endpoint
   * @throws WebhookdException if the call fails
   */
  public Endpoint disableEndpoint(String id) {
    return disableEndpoint(id, null);
  }

  /**
   * Pauses an endpoint: new events are stored but not sent until it is enabled again.
   *
   * @param id the endpoint id
   * @param reason recorded as its {@link Endpoint#disabledReason()}; null or empty for "disabled
   *     by an operator"
   * @return the endpoint
   * @throws WebhookdException if the call fails
   */
  public Endpoint disableEndpoint(String id, String reason) {
    DisableEndpointRequest request =
        DisableEndpointRequest.newBuilder()
            .setId(id)
            .setReason(reason == null ? "" : reason)
            .build();
    return Convert.endpoint(call(true, () -> stub.disableEndpoint(request)));
  }

  /**
   * Makes a new signing secret for an endpoint; the previous one stays valid for 24 hours. Not
   * retried.
   *
   * @param id the endpoint id
   * @return the endpoint and the new secret
   * @throws WebhookdException if the call fails
   */
  public RotatedSecret rotateEndpointSecret(String id) {
    return rotateEndpointSecret(id, Duration.ZERO);
  }

  /**
   * Makes a new signing secret for an endpoint. The previous one stays valid for the grace period:
   * meanwhile every delivery carries both signatures. Not retried.
   *
   * @param id the endpoint id
   * @param gracePeriod how long the previous secret stays valid, rounded up to whole seconds;
   *     zero for the server's default, 24 hours
   * @return the endpoint and the new secret, shown this once
   * @throws WebhookdException if the call fails
   */
  public RotatedSecret rotateEndpointSecret(String id, Duration gracePeriod) {
    long seconds = gracePeriod.getSeconds() + (gracePeriod.getNano() > 0 ? 1 : 0);
    RotateEndpointSecretRequest request =
        RotateEndpointSecretRequest.newBuilder()
            .setId(id)
            .setGracePeriodSeconds((int) Math.min(Math.max(seconds, 0), Integer.MAX_VALUE))
            .build();
    RotateEndpointSecretResponse response = call(false, () -> stub.rotateEndpointSecret(request));
    return new RotatedSecret(Convert.endpoint(response.getEndpoint()), response.getNewSecret());
  }

  // API keys.

  /**
   * Creates an API key. While webhookd has no key, the first one must be an {@link
   * ApiKeyRole#ADMIN admin} key; from then on every call needs a key. Not retried.
   *
   * @param name a unique name, {@code [A-Za-z0-9_.-]}, at most 64 characters
   * @param role what the key may do
   * @return the key's description and the key itself, shown this once
   * @throws WebhookdException if the call fails
   */
  public CreatedApiKey createApiKey(String name, ApiKeyRole role) {
    CreateApiKeyRequest request =
        CreateApiKeyRequest.newBuilder().setName(name).setRole(Convert.toProto(role)).build();
    CreateApiKeyResponse response = call(false, () -> stub.createApiKey(request));
    return new CreatedApiKey(Convert.apiKey(response.getApiKey()), response.getKey());
  }

  /**
   * Lists the API keys that are not revoked (those of the config file too).
   *
   * @return the keys
   * @throws WebhookdException if the call fails
   */
  public List<ApiKey> listApiKeys() {
    return listApiKeys(false);
  }

  /**
   * Lists the API keys (those of the config file too).
   *
   * @param includeRevoked also list the revoked ones
   * @return the keys
   * @throws WebhookdException if the call fails
   */
  public List<ApiKey> listApiKeys(boolean includeRevoked) {
    ListApiKeysRequest request =
        ListApiKeysRequest.newBuilder().setIncludeRevoked(includeRevoked).build();
    List<ApiKey> keys = new ArrayList<>();
    for (dev.webhookd.v1.ApiKey key : call(true, () -> stub.listApiKeys(request)).getApiKeysList()) {
      keys.add(Convert.apiKey(key));
    }
    return keys;
  }

  /**
   * Revokes an API key created over the API; it stops working on every instance within a few
   * seconds. The last admin key cannot be revoked. Not retried.
   *
   * @param name the key's name
   * @return the key, with {@link ApiKey#revokedAt()} set
   * @throws WebhookdException if the call fails
   */
  public ApiKey revokeApiKey(String name) {
    RevokeApiKeyRequest request = RevokeApiKeyRequest.newBuilder().setName(name).build();
    return Convert.apiKey(call(false, () -> stub.revokeApiKey(request)));
  }

  // The event-type catalog.

  /**
   * Returns the event-type catalog ({@code event_catalog} in the server's config file): the event
   * types producers may send, sorted by name, each with its description and the JSON Schema that
   * {@code dispatch} checks its payloads against, if it has one; and whether {@code dispatch}
   * accepts the types that are not in it. Every API key role may call it.
   *
   * @return the catalog; without one, no types and unknown types allowed
   * @throws WebhookdException if the call fails
   */
  public EventCatalog listEventTypes() {
    return Convert.eventCatalog(
        call(true, () -> stub.listEventTypes(ListEventTypesRequest.getDefaultInstance())));
  }

  // The channel.

  /**
   * Returns the generated blocking stub ({@code dev.webhookd.v1}) on this client's connection,
   * with its API key and default deadlines (not its retries; its calls throw {@link
   * StatusRuntimeException}, which {@link WebhookdException#from} converts).
   *
   * @return the stub
   */
  public WebhookServiceBlockingStub raw() {
    return stub;
  }

  /**
   * Returns this client's channel, with its API key and default deadlines, for other generated
   * stubs such as {@code WebhookServiceGrpc.newFutureStub(client.channel())}.
   *
   * @return the channel
   */
  public Channel channel() {
    return channel;
  }

  /** Closes the connection, cancelling the calls and streams still open. */
  @Override
  public void close() {
    managedChannel.shutdownNow();
    try {
      managedChannel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Runs a call, retrying it under the retry policy when it is idempotent, and converts its
   * failure into a {@link WebhookdException}.
   */
  private <T> T call(boolean idempotent, Supplier<T> attempt) {
    for (int number = 1; ; number++) {
      try {
        return attempt.get();
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if (!idempotent
            || number >= retryPolicy.maxAttempts()
            || !RetryPolicy.retryable(code)
            || Context.current().isCancelled()) {
          throw WebhookdException.from(e);
        }
        if (code == Status.Code.UNAVAILABLE) {
          // The channel waits before it reconnects after a failure (1 s at first, then longer);
          // a retry should not fail only because of that wait.
          managedChannel.resetConnectBackoff();
        }
        Duration delay = retryPolicy.backoff(number, ThreadLocalRandom.current().nextDouble());
        try {
          TimeUnit.NANOSECONDS.sleep(delay.toNanos());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          WebhookdException cancelled = WebhookdException.from(Status.CANCELLED
              .withDescription("interrupted while waiting to retry")
              .withCause(interrupted)
              .asRuntimeException());
          cancelled.addSuppressed(e);
          throw cancelled;
        }
      }
    }
  }

  /** Tells whether an address is on this machine, where plaintext is safe. */
  static boolean isLoopback(String address) {
    if (address.startsWith("unix:")) {
      return true;
    }
    String target = address;
    int scheme = target.indexOf(":///");
    if (scheme >= 0) {
      target = target.substring(scheme + 4);
    }
    String host = target;
    if (target.startsWith("[")) {
      int end = target.indexOf(']');
      host = end > 0 ? target.substring(1, end) : target;
    } else if (target.indexOf(':') >= 0 && target.indexOf(':') == target.lastIndexOf(':')) {
      host = target.substring(0, target.indexOf(':'));
    }
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      return host.startsWith("127.");
    }
    if (host.contains(":")) {
      try {
        return InetAddress.getByName(host).isLoopbackAddress(); // a literal: no name lookup
      } catch (UnknownHostException e) {
        return false;
      }
    }
    return false;
  }

  private static String loadVersion() {
    Properties properties = new Properties();
    try (InputStream in = WebhookdClient.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties.getProperty("version", "unknown");
  }

  /** Gives unary calls, and streams, a deadline when they have none. */
  private static final class DefaultDeadlines implements ClientInterceptor {
    private final Duration unary;
    private final Duration stream;

    DefaultDeadlines(Duration unary, Duration stream) {
      this.unary = unary;
      this.stream = stream;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(
        MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      Duration timeout = method.getType() == MethodDescriptor.MethodType.UNARY ? unary : stream;
      if (timeout != null && options.getDeadline() == null) {
        options = options.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
      }
      return next.newCall(method, options);
    }
  }

  /** Builds a {@link WebhookdClient}. */
  public static final class Builder {
    private String address;
    private Boolean tls;
    private byte[] rootCertificates;
    private byte[] clientCertificateChain;
    private byte[] clientPrivateKey;
    private ChannelCredentials credentials;
    private String apiKey;
    private Duration timeout = DEFAULT_TIMEOUT;
    private Duration streamTimeout;
    private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
    private boolean autoIdempotencyKey = true;
    private final List<ClientInterceptor> interceptors = new ArrayList<>();

    private Builder() {}

    /**
     * Sets the server address.
     *
     * @param address {@code host:port}, or any gRPC target URI such as {@code dns:///host:port}
     * @return this builder
     */
    public Builder address(String address) {
      this.address = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * Sends the API key with every call, the raw stub's included, as {@code authorization: Bearer
     * <key>}.
     *
     * @param apiKey the key
     * @return this builder
     */
    public Builder apiKey(String apiKey) {
      this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
      return this;
    }

    /**
     * Forces TLS on or off. By default TLS is used unless the host is a loopback address ({@code
     * localhost}, {@code 127.0.0.0/8}, {@code ::1}). Without TLS, the API key travels in clear.
     *
     * @param tls true for TLS, false for plaintext
     * @return this builder
     */
    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /**
     * Connects without TLS: {@code tls(false)}.
     *
     * @return this builder
     */
    public Builder usePlaintext() {
      return tls(false);
    }

    /**
     * Connects with TLS, even to a loopback address: {@code tls(true)}.
     *
     * @return this builder
     */
    public Builder useTransportSecurity() {
      return tls(true);
    }

    /**
     * Trusts these certificate authorities instead of the system's, for a server certificate from
     * a private CA. Implies TLS, loopback addresses included.
     *
     * @param pem the CA certificates, PEM
     * @return this builder
     */
    public Builder rootCertificates(byte[] pem) {
      this.rootCertificates = Objects.requireNonNull(pem, "pem").clone();
      return this;
    }

    /**
     * Presents a client certificate, for mutual TLS. Implies TLS, loopback addresses included.
     *
     * @param certificateChainPem the certificate chain, PEM
     * @param privateKeyPem the private key, PKCS#8 PEM ({@code BEGIN PRIVATE KEY})
     * @return this builder
     */
    public Builder clientCertificate(byte[] certificateChainPem, byte[] privateKeyPem) {
      this.clientCertificateChain = Objects.requireNonNull(certificateChainPem, "chain").clone();
      this.clientPrivateKey = Objects.requireNonNull(privateKeyPem, "key").clone();
      return this;
    }

    /**
     * Connects with these credentials, which override the TLS settings of this builder.
     *
     * @param credentials the channel credentials
     * @return this builder
     */
    public Builder channelCredentials(ChannelCredentials credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /**
     * Sets the deadline of each unary call that has none, the raw stub's included (default 10
     * s). Each attempt of a retried call gets the whole timeout.
     *
     * @param timeout the time allowed for each call; zero for no deadline
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("timeout must not be negative");
      }
      this.timeout = timeout.isZero() ? null : timeout;
      return this;
    }

    /**
     * Sets the deadline of each stream (default none: a stream stays open until it is closed).
     *
     * @param streamTimeout how long a stream may stay open; zero for no deadline
     * @return this builder
     */
    public Builder streamTimeout(Duration streamTimeout) {
      if (streamTimeout.isNegative()) {
        throw new IllegalArgumentException("streamTimeout must not be negative");
      }
      this.streamTimeout = streamTimeout.isZero() ? null : streamTimeout;
      return this;
    }

    /**
     * Sets the retry policy (default {@link RetryPolicy#DEFAULT}; {@link RetryPolicy#NONE}
     * disables retries).
     *
     * @param retryPolicy the policy
     * @return this builder
     */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /**
     * Says whether {@code dispatch} generates an idempotency key ({@code sdk-} and a random UUID)
     * when the caller gives none (default true). With a key, a dispatch that failed with {@code
     * UNAVAILABLE} or {@code DEADLINE_EXCEEDED} is retried without the risk of a duplicate event;
     * without one it is not retried.
     *
     * @param enabled true to generate keys
     * @return this builder
     */
    public Builder autoIdempotencyKey(boolean enabled) {
      this.autoIdempotencyKey = enabled;
      return this;
    }

    /**
     * Adds interceptors to every call, for example for tracing. They see each attempt of a
     * retried call.
     *
     * @param interceptors the interceptors
     * @return this builder
     */
    public Builder interceptors(ClientInterceptor... interceptors) {
      this.interceptors.addAll(Arrays.asList(interceptors));
      return this;
    }

    /**
     * Creates the client. The connection is made lazily, at the first call.
     *
     * @return the client
     * @throws IllegalStateException if no address was set, or the TLS settings conflict
     * @throws UncheckedIOException if a certificate or key cannot be read
     */
    public WebhookdClient build() {
      if (address == null) {
        throw new IllegalStateException("address is required");
      }
      return new WebhookdClient(this);
    }

    ChannelCredentials channelCredentials() {
      if (credentials != null) {
        return credentials;
      }
      boolean wantsCertificates = rootCertificates != null || clientCertificateChain != null;
      boolean useTls = tls != null ? tls : wantsCertificates || !isLoopback(address);
      if (!useTls) {
        if (wantsCertificates) {
          throw new IllegalStateException(
              "tls(false) conflicts with rootCertificates and clientCertificate");
        }
        return InsecureChannelCredentials.create();
      }
      TlsChannelCredentials.Builder tlsCredentials = TlsChannelCredentials.newBuilder();
      try {
        if (rootCertificates != null) {
          tlsCredentials.trustManager(new ByteArrayInputStream(rootCertificates));
        }
        if (clientCertificateChain != null) {
          tlsCredentials.keyManager(
              new ByteArrayInputStream(clientCertificateChain),
              new ByteArrayInputStream(clientPrivateKey));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the TLS certificates", e);
      }
      return tlsCredentials.build();
    }
  }
}
