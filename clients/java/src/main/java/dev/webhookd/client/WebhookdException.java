package dev.webhookd.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The exception of every failed call of a {@link WebhookdClient}: the gRPC status code, the
 * server's message ({@link #getMessage()}), and the details webhookd attaches to its errors, the
 * {@code google.rpc.ErrorInfo} reason and metadata and the {@code google.rpc.BadRequest} field
 * violations.
 *
 * <pre>{@code
 * try {
 *   client.dispatch("order.created", payload);
 * } catch (WebhookdException e) {
 *   if ("PAYLOAD_TOO_LARGE".equals(e.reason())) {
 *     log.warn("payload over {} bytes", e.metadata().get("limit"));
 *   }
 * }
 * }</pre>
 */
public final class WebhookdException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * One invalid field of a request.
   *
   * @param field the field, such as {@code event_type} or {@code endpoint.url}
   * @param description what is wrong with it
   */
  public record FieldViolation(String field, String description) {}

  private final Status.Code code;
  private final String reason;
  private final Map<String, String> metadata;
  private final List<FieldViolation> fieldViolations;

  /**
   * Creates an exception, for example in a test double of a client.
   *
   * @param code the gRPC status code
   * @param message the server's message
   * @param reason the ErrorInfo reason, empty when there is none
   * @param metadata the ErrorInfo metadata
   * @param fieldViolations the BadRequest field violations
   * @param cause the underlying exception, or null
   */
  public WebhookdException(
      Status.Code code,
      String message,
      String reason,
      Map<String, String> metadata,
      List<FieldViolation> fieldViolations,
      Throwable cause) {
    super(message == null ? "" : message, cause);
    this.code = Objects.requireNonNull(code, "code");
    this.reason = Objects.requireNonNull(reason, "reason");
    this.metadata = Map.copyOf(metadata);
    this.fieldViolations = List.copyOf(fieldViolations);
  }

  /**
   * Converts the exception of a gRPC call (a {@link io.grpc.StatusRuntimeException} or {@link
   * io.grpc.StatusException}, such as those of the {@linkplain WebhookdClient#raw() raw stub}),
   * decoding the details of its status.
   *
   * @param throwable the exception
   * @return the converted exception; {@code throwable} itself if it is one already
   */
  public static WebhookdException from(Throwable throwable) {
    if (throwable instanceof WebhookdException e) {
      return e;
    }
    Status status = Status.fromThrowable(throwable);
    String reason = "";
    Map<String, String> metadata = Map.of();
    List<FieldViolation> violations = new ArrayList<>();
    com.google.rpc.Status details = StatusProto.fromThrowable(throwable);
    if (details != null) {
      for (Any detail : details.getDetailsList()) {
        try {
          if (detail.is(ErrorInfo.class)) {
            ErrorInfo info = detail.unpack(ErrorInfo.class);
            reason = info.getReason();
            metadata = info.getMetadataMap();
          } else if (detail.is(BadRequest.class)) {
            for (BadRequest.FieldViolation violation :
                detail.unpack(BadRequest.class).getFieldViolationsList()) {
              violations.add(new FieldViolation(violation.getField(), violation.getDescription()));
            }
          }
        } catch (InvalidProtocolBufferException e) {
          // A malformed detail is skipped: the code and the message still stand.
        }
      }
    }
    String message = status.getDescription();
    if (message == null && status.getCause() != null) {
      message = status.getCause().toString();
    }
    return new WebhookdException(
        status.getCode(), message, reason, metadata, violations, throwable);
  }

  /**
   * Returns the gRPC status code.
   *
   * @return the code, such as {@code INVALID_ARGUMENT}
   */
  public Status.Code code() {
    return code;
  }

  /**
   * Returns the {@code google.rpc.ErrorInfo} reason, a stable code for programs.
   *
   * @return the reason, such as {@code PAYLOAD_TOO_LARGE} or {@code ENDPOINT_NOT_FOUND}; empty when
   *     the error has none
   */
  public String reason() {
    return reason;
  }

  /**
   * Returns the {@code google.rpc.ErrorInfo} metadata.
   *
   * @return the metadata, such as {@code {limit=262144}}; empty when there is none
   */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * Returns the {@code google.rpc.BadRequest} field violations: which request fields are invalid,
   * and why.
   *
   * @return the violations, empty when there are none
   */
  public List<FieldViolation> fieldViolations() {
    return fieldViolations;
  }

  /**
   * Describes the exception with its code and reason: {@code WebhookdException: NOT_FOUND:
   * endpoint `ep_1` does not exist (ENDPOINT_NOT_FOUND)}.
   *
   * @return the description
   */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("WebhookdException: ").append(code);
    if (!getMessage().isEmpty()) {
      text.append(": ").append(getMessage());
    }
    if (!reason.isEmpty()) {
      text.append(" (").append(reason).append(')');
    }
    return text.toString();
  }
}
