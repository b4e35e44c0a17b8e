package dev.webhookd.client;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import dev.webhookd.v1.EndpointRetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Conversions between the generated messages of {@code dev.webhookd.v1} and this package's types.
 * They happen here only: no generated class appears in the client's methods, arguments or results.
 */
final class Convert {
  private Convert() {}

  static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  /** Returns the instant of a timestamp, or null when the message does not have it. */
  static Instant instant(boolean present, Timestamp timestamp) {
    if (!present) {
      return null;
    }
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }

  static Duration milliseconds(double milliseconds) {
    return Duration.ofNanos((long) (milliseconds * 1_000_000));
  }

  static Duration seconds(double seconds) {
    return Duration.ofNanos((long) (seconds * 1_000_000_000));
  }

  /**
   * Finds the value of {@code target} whose name is the proto value's name without {@code prefix}:
   * {@code DELIVERY_STATE_IN_FLIGHT} gives {@code IN_FLIGHT}. A value this SDK does not know gives
   * {@code unknown}.
   */
  static <E extends Enum<E>> E fromProto(
      Enum<?> value, String prefix, Class<E> target, E unknown) {
    String name = value.name();
    if (!name.startsWith(prefix)) {
      return unknown; // UNRECOGNIZED: a number newer than the generated code
    }
    try {
      return Enum.valueOf(target, name.substring(prefix.length()));
    } catch (IllegalArgumentException e) {
      return unknown;
    }
  }

  static DeliveryState deliveryState(dev.webhookd.v1.DeliveryState state) {
    return fromProto(state, "DELIVERY_STATE_", DeliveryState.class, DeliveryState.UNSPECIFIED);
  }

  static dev.webhookd.v1.DeliveryState toProto(DeliveryState state) {
    return dev.webhookd.v1.DeliveryState.valueOf("DELIVERY_STATE_" + state.name());
  }

  static UpdateKind updateKind(dev.webhookd.v1.UpdateKind kind) {
    return fromProto(kind, "UPDATE_KIND_", UpdateKind.class, UpdateKind.UNSPECIFIED);
  }

  static ApiKeyRole apiKeyRole(dev.webhookd.v1.ApiKeyRole role) {
    return fromProto(role, "API_KEY_ROLE_", ApiKeyRole.class, ApiKeyRole.UNSPECIFIED);
  }

  static dev.webhookd.v1.ApiKeyRole toProto(ApiKeyRole role) {
    return dev.webhookd.v1.ApiKeyRole.valueOf("API_KEY_ROLE_" + role.name());
  }

  static SignatureScheme signatureScheme(dev.webhookd.v1.SignatureScheme scheme) {
    return fromProto(
        scheme, "SIGNATURE_SCHEME_", SignatureScheme.class, SignatureScheme.UNSPECIFIED);
  }

  static dev.webhookd.v1.SignatureScheme toProto(SignatureScheme scheme) {
    return dev.webhookd.v1.SignatureScheme.valueOf("SIGNATURE_SCHEME_" + scheme.name());
  }

  static dev.webhookd.v1.DeliveryFilter toProto(DeliveryFilter filter) {
    dev.webhookd.v1.DeliveryFilter.Builder out =
        dev.webhookd.v1.DeliveryFilter.newBuilder()
            .addAllEventTypes(filter.eventTypes())
            .setEndpointId(filter.endpointId());
    if (filter.startTime() != null) {
      out.setStartTime(timestamp(filter.startTime()));
    }
    if (filter.endTime() != null) {
      out.setEndTime(timestamp(filter.endTime()));
    }
    for (DeliveryState state : filter.states()) {
      out.addStates(toProto(state));
    }
    return out.build();
  }

  static Event event(dev.webhookd.v1.Event event) {
    return new Event(
        event.getId(),
        event.getEventType(),
        event.getPayloadJson(),
        event.getIdempotencyKey(),
        instant(event.hasCreatedAt(), event.getCreatedAt()),
        event.getOrderingKey());
  }

  static Attempt attempt(dev.webhookd.v1.Attempt attempt) {
    return new Attempt(
        attempt.getNumber(),
        instant(attempt.hasStartedAt(), attempt.getStartedAt()),
        Duration.ofMillis(attempt.getDurationMs()),
        attempt.getHttpStatus(),
        attempt.getErrorKind(),
        attempt.getErrorMessage(),
        attempt.getResponseExcerpt());
  }

  static Delivery delivery(dev.webhookd.v1.Delivery delivery) {
    List<Attempt> attempts = new ArrayList<>();
    for (dev.webhookd.v1.Attempt attempt : delivery.getAttemptsList()) {
      attempts.add(attempt(attempt));
    }
    return new Delivery(
        delivery.getId(),
        delivery.getEventId(),
        delivery.getEndpointId(),
        delivery.getEventType(),
        deliveryState(delivery.getState()),
        delivery.getAttemptCount(),
        instant(delivery.hasNextAttemptAt(), delivery.getNextAttemptAt()),
        delivery.getLastError(),
        delivery.getReplayOf(),
        instant(delivery.hasCreatedAt(), delivery.getCreatedAt()),
        instant(delivery.hasUpdatedAt(), delivery.getUpdatedAt()),
        attempts,
        delivery.getOrderingKey(),
        delivery.getWaitingForOrderingKey());
  }

  static List<Delivery> deliveries(List<dev.webhookd.v1.Delivery> deliveries) {
    List<Delivery> out = new ArrayList<>(deliveries.size());
    for (dev.webhookd.v1.Delivery delivery : deliveries) {
      out.add(delivery(delivery));
    }
    return out;
  }

  static Endpoint endpoint(dev.webhookd.v1.Endpoint endpoint) {
    return new Endpoint(
        endpoint.getId(),
        endpoint.getUrl(),
        endpoint.getEventTypesList(),
        endpoint.getActive(),
        endpoint.getDisabledReason(),
        instant(endpoint.hasDisabledAt(), endpoint.getDisabledAt()),
        endpoint.getOrigin(),
        endpoint.getSecretHint(),
        instant(endpoint.hasPreviousSecretExpiresAt(), endpoint.getPreviousSecretExpiresAt()),
        endpoint.getConsecutiveFailures(),
        instant(endpoint.hasCreatedAt(), endpoint.getCreatedAt()),
        instant(endpoint.hasUpdatedAt(), endpoint.getUpdatedAt()),
        endpoint.getCircuitState(),
        signatureScheme(endpoint.getSignatureScheme()),
        endpoint.getPublicKey(),
        endpoint.getHeadersMap(),
        endpoint.hasRetryPolicy() ? retrySchedule(endpoint.getRetryPolicy()) : null,
        endpoint.hasFilter() ? jsonObject(endpoint.getFilter()) : null);
  }

  /**
   * Converts a JSON object given as a map (of maps with string keys, lists and other iterables,
   * strings, numbers, booleans and nulls) into a {@code google.protobuf.Struct}.
   *
   * @throws IllegalArgumentException for a key that is not a string or a value of another type
   */
  static Struct struct(Map<?, ?> map) {
    Struct.Builder out = Struct.newBuilder();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (!(entry.getKey() instanceof String key)) {
        throw new IllegalArgumentException("JSON object keys are strings, not " + entry.getKey());
      }
      out.putFields(key, value(entry.getValue()));
    }
    return out.build();
  }

  private static Value value(Object value) {
    Value.Builder out = Value.newBuilder();
    if (value == null) {
      out.setNullValue(NullValue.NULL_VALUE);
    } else if (value instanceof Boolean bool) {
      out.setBoolValue(bool);
    } else if (value instanceof Number number) {
      out.setNumberValue(number.doubleValue());
    } else if (value instanceof String string) {
      out.setStringValue(string);
    } else if (value instanceof Map<?, ?> map) {
      out.setStructValue(struct(map));
    } else if (value instanceof Iterable<?> iterable) {
      ListValue.Builder list = ListValue.newBuilder();
      for (Object item : iterable) {
        list.addValues(value(item));
      }
      out.setListValue(list);
    } else {
      throw new IllegalArgumentException(
          "not a JSON value (Map, List, String, Number, Boolean or null): " + value.getClass());
    }
    return out.build();
  }

  /**
   * Converts a {@code google.protobuf.Struct}, such as an endpoint's payload filter or an event
   * type's JSON Schema, into an unmodifiable map of JSON values: maps, lists, strings, {@link
   * Double}s, booleans and nulls.
   */
  static Map<String, Object> jsonObject(Struct struct) {
    Map<String, Object> out = new LinkedHashMap<>();
    struct.getFieldsMap().forEach((key, value) -> out.put(key, json(value)));
    return Collections.unmodifiableMap(out);
  }

  private static Object json(Value value) {
    switch (value.getKindCase()) {
      case BOOL_VALUE:
        return value.getBoolValue();
      case NUMBER_VALUE:
        return value.getNumberValue();
      case STRING_VALUE:
        return value.getStringValue();
      case STRUCT_VALUE:
        return jsonObject(value.getStructValue());
      case LIST_VALUE:
        List<Object> list = new ArrayList<>(value.getListValue().getValuesCount());
        for (Value item : value.getListValue().getValuesList()) {
          list.add(json(item));
        }
        return Collections.unmodifiableList(list);
      default:
        return null; // NULL_VALUE, or no value at all
    }
  }

  /**
   * Copies a JSON object given as a map into an unmodifiable one of JSON values (numbers become
   * {@link Double}s, as they are in a {@code Struct}); null stays null.
   *
   * @throws IllegalArgumentException for a key that is not a string or a value of another type
   */
  static Map<String, Object> copyJsonObject(Map<String, ?> map) {
    return map == null ? null : jsonObject(struct(map));
  }

  static RetrySchedule retrySchedule(EndpointRetryPolicy policy) {
    List<Duration> delays = new ArrayList<>(policy.getDelaysSecondsCount());
    for (double seconds : policy.getDelaysSecondsList()) {
      // Rounded to the nanosecond, so that a delay goes back and forth unchanged.
      delays.add(Duration.ofNanos(Math.round(seconds * 1_000_000_000)));
    }
    int maxAttempts =
        (int) Math.min(Integer.toUnsignedLong(policy.getMaxAttempts()), Integer.MAX_VALUE);
    return new RetrySchedule(maxAttempts, delays);
  }

  static EndpointRetryPolicy toProto(RetrySchedule schedule) {
    EndpointRetryPolicy.Builder policy =
        EndpointRetryPolicy.newBuilder().setMaxAttempts(schedule.maxAttempts());
    for (Duration delay : schedule.delays()) {
      policy.addDelaysSeconds(delay.getSeconds() + delay.getNano() / 1e9);
    }
    return policy.build();
  }

  static EventCatalog eventCatalog(dev.webhookd.v1.ListEventTypesResponse catalog) {
    List<EventType> eventTypes = new ArrayList<>(catalog.getEventTypesCount());
    for (dev.webhookd.v1.EventTypeDefinition eventType : catalog.getEventTypesList()) {
      eventTypes.add(
          new EventType(
              eventType.getName(),
              eventType.getDescription(),
              eventType.hasSchema() ? jsonObject(eventType.getSchema()) : null));
    }
    return new EventCatalog(eventTypes, catalog.getUnknownTypesAllowed());
  }

  static ApiKey apiKey(dev.webhookd.v1.ApiKey key) {
    return new ApiKey(
        key.getName(),
        apiKeyRole(key.getRole()),
        key.getOrigin(),
        instant(key.hasCreatedAt(), key.getCreatedAt()),
        instant(key.hasRevokedAt(), key.getRevokedAt()),
        key.getFingerprint());
  }

  static DeliveryUpdate update(dev.webhookd.v1.DeliveryUpdate update) {
    return new DeliveryUpdate(
        updateKind(update.getKind()),
        update.getSequence(),
        update.getDeliveryId(),
        update.getEventId(),
        update.getEndpointId(),
        update.getEventType(),
        deliveryState(update.getState()),
        update.getAttempt(),
        update.getHttpStatus(),
        update.getErrorKind(),
        Duration.ofMillis(update.getLatencyMs()),
        instant(update.hasNextAttemptAt(), update.getNextAttemptAt()),
        instant(update.hasOccurredAt(), update.getOccurredAt()),
        update.getMissed(),
        update.getDetail());
  }

  static Metrics metrics(dev.webhookd.v1.GetMetricsResponse metrics) {
    List<EndpointStatus> endpoints = new ArrayList<>();
    for (dev.webhookd.v1.EndpointStatus endpoint : metrics.getEndpointsList()) {
      dev.webhookd.v1.LatencySummary latency = endpoint.getLatency();
      endpoints.add(
          new EndpointStatus(
              endpoint.getEndpointId(),
              endpoint.getActive(),
              endpoint.getDisabledReason(),
              endpoint.getCircuitState(),
              endpoint.getConsecutiveFailures(),
              endpoint.getAttempted(),
              endpoint.getSucceeded(),
              endpoint.getSuccessRate(),
              new LatencySummary(
                  milliseconds(latency.getP50Ms()),
                  milliseconds(latency.getP95Ms()),
                  milliseconds(latency.getP99Ms()),
                  milliseconds(latency.getMaxMs())),
              endpoint.getPending(),
              seconds(endpoint.getOldestPendingAgeSeconds()),
              endpoint.getConcurrencyLimit(),
              endpoint.getConcurrencyWindow()));
    }
    return new Metrics(
        Duration.ofSeconds(metrics.getWindowSeconds()),
        metrics.getAttempted(),
        metrics.getSucceeded(),
        metrics.getFailed(),
        metrics.getDeadLettered(),
        metrics.getSuccessRate(),
        new LatencySummary(
            milliseconds(metrics.getLatencyP50Ms()),
            milliseconds(metrics.getLatencyP95Ms()),
            milliseconds(metrics.getLatencyP99Ms()),
            milliseconds(metrics.getLatencyMaxMs())),
        metrics.getFailuresByErrorKindMap(),
        metrics.getFailuresByStatusClassMap(),
        endpoints,
        metrics.getRetryBudgetSlots(),
        metrics.getRetriesInFlight(),
        metrics.getRetriesDeferred());
  }
}
