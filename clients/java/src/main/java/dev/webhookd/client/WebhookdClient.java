package dev.webhookd.client;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.webhookd.v1.DispatchRequest;
import dev.webhookd.v1.StreamDeliveriesRequest;
import dev.webhookd.v1.WebhookServiceGrpc;
import dev.webhookd.v1.WebhookServiceGrpc.WebhookServiceBlockingStub;
import io.grpc.ChannelCredentials;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A client of the webhookd gRPC API.
 *
 * <pre>{@code
 * try (WebhookdClient client = WebhookdClient.builder()
 *     .address("webhookd.internal:50051")
 *     .apiKey(System.getenv("WEBHOOKD_API_KEY"))
 *     .deadline(Duration.ofSeconds(10))
 *     .build()) {
 *   String eventId = client.dispatch("order.created", Map.of("order_id", "ord_1", "total", 99.99));
 * }
 * }</pre>
 *
 * <p>The convenience methods cover the common calls; {@link #raw()} gives the generated stub for
 * every other one. Calls fail with {@link io.grpc.StatusRuntimeException}. A client is thread-safe
 * and should be reused; close it to release its connection.
 */
public final class WebhookdClient implements AutoCloseable {
  private static final Gson GSON =
      new GsonBuilder().disableHtmlEscaping().serializeNulls().create();
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final ManagedChannel channel;
  private final WebhookServiceBlockingStub stub;
  private final Duration deadline;

  private WebhookdClient(Builder builder) {
    this.channel = Grpc.newChannelBuilder(builder.address, builder.credentials).build();
    WebhookServiceBlockingStub blocking = WebhookServiceGrpc.newBlockingStub(channel);
    if (builder.apiKey != null) {
      Metadata headers = new Metadata();
      headers.put(AUTHORIZATION, "Bearer " + builder.apiKey);
      blocking = blocking.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    this.stub = blocking;
    this.deadline = builder.deadline;
  }

  /**
   * Starts building a client.
   *
   * @return a builder; set at least the {@link Builder#address address}
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Dispatches an event to every active endpoint subscribed to its type.
   *
   * @param eventType the event type, such as {@code "order.created"}
   * @param payload the payload, serialized to a JSON object: maps, lists, strings, numbers,
   *     booleans, nulls and plain objects
   * @return the event id ({@code evt_...}), which receivers get in {@value Webhooks#ID_HEADER}
   */
  public String dispatch(String eventType, Map<String, ?> payload) {
    return dispatch(eventType, payload, DispatchOptions.defaults());
  }

  /**
   * Dispatches an event with an idempotency key or to chosen endpoints.
   *
   * @param eventType the event type, such as {@code "order.created"}
   * @param payload the payload, serialized to a JSON object: maps, lists, strings, numbers,
   *     booleans, nulls and plain objects
   * @param options the idempotency key and endpoints
   * @return the event id ({@code evt_...}); for a repeated idempotency key, the original one
   */
  public String dispatch(String eventType, Map<String, ?> payload, DispatchOptions options) {
    Objects.requireNonNull(payload, "payload");
    return dispatchJson(eventType, GSON.toJson(payload), options);
  }

  /**
   * Dispatches an event whose payload is already JSON text. Numbers keep their exact text, so
   * integers above 2<sup>53</sup> and decimals such as {@code 99.990} stay as written.
   *
   * @param eventType the event type, such as {@code "order.created"}
   * @param payloadJson a JSON object
   * @param options the idempotency key and endpoints
   * @return the event id ({@code evt_...}); for a repeated idempotency key, the original one
   */
  public String dispatchJson(String eventType, String payloadJson, DispatchOptions options) {
    DispatchRequest request =
        DispatchRequest.newBuilder()
            .setEventType(eventType)
            .setPayloadJson(payloadJson)
            .setIdempotencyKey(options.idempotencyKey())
            .addAllEndpointIds(options.endpointIds())
            .build();
    return raw().dispatch(request).getEventId();
  }

  /**
   * Opens a stream of delivery and endpoint state changes. The stream has no deadline: it stays
   * open until it is {@linkplain DeliveryStream#close() closed}, the server ends it or the client
   * is closed.
   *
   * @param filter which updates to receive; {@link StreamDeliveriesRequest#getDefaultInstance()}
   *     for all of them
   * @return the updates, as a blocking iterator
   */
  public DeliveryStream streamDeliveries(StreamDeliveriesRequest filter) {
    Context.CancellableContext context = Context.current().withCancellation();
    Context previous = context.attach();
    try {
      return new DeliveryStream(context, stub.streamDeliveries(filter));
    } finally {
      context.detach(previous);
    }
  }

  /**
   * Returns the generated blocking stub, with the API key and the deadline of this client. The
   * deadline is counted from this call: get a fresh stub for each call.
   *
   * @return the stub
   */
  public WebhookServiceBlockingStub raw() {
    if (deadline == null) {
      return stub;
    }
    return stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Closes the connection, cancelling the calls and streams still open. */
  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Builds a {@link WebhookdClient}. */
  public static final class Builder {
    private String address;
    private ChannelCredentials credentials = TlsChannelCredentials.create();
    private String apiKey;
    private Duration deadline;

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
     * Connects without TLS, for a server on a trusted network or on this machine.
     *
     * @return this builder
     */
    public Builder usePlaintext() {
      this.credentials = InsecureChannelCredentials.create();
      return this;
    }

    /**
     * Connects with TLS, trusting the system's certificate authorities. This is the default.
     *
     * @return this builder
     */
    public Builder useTransportSecurity() {
      this.credentials = TlsChannelCredentials.create();
      return this;
    }

    /**
     * Connects with the given credentials, for example TLS with a private certificate authority
     * or a client certificate ({@link TlsChannelCredentials#newBuilder()}).
     *
     * @param credentials the channel credentials
     * @return this builder
     */
    public Builder channelCredentials(ChannelCredentials credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /**
     * Sends the API key with every call, as {@code authorization: Bearer <key>}.
     *
     * @param apiKey the key
     * @return this builder
     */
    public Builder apiKey(String apiKey) {
      this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
      return this;
    }

    /**
     * Sets how long each call may take, streams excepted. Without it, calls have no deadline.
     *
     * @param deadline the time allowed for each call
     * @return this builder
     */
    public Builder deadline(Duration deadline) {
      if (deadline.isNegative() || deadline.isZero()) {
        throw new IllegalArgumentException("deadline must be positive");
      }
      this.deadline = deadline;
      return this;
    }

    /**
     * Creates the client. The connection is made lazily, at the first call.
     *
     * @return the client
     * @throws IllegalStateException if no address was set
     */
    public WebhookdClient build() {
      if (address == null) {
        throw new IllegalStateException("address is required");
      }
      return new WebhookdClient(this);
    }
  }
}
