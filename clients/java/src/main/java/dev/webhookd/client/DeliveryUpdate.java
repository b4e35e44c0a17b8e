package dev.webhookd.client;

import java.time.Duration;
import java.time.Instant;

/**
 * One change reported by {@link WebhookdClient#streamDeliveries streamDeliveries}.
 *
 * @param kind what happened
 * @param sequence increases with every update of a webhookd instance; resume with {@link StreamFilter#withSinceSequence}
 * @param deliveryId the delivery, empty for endpoint updates
 * @param eventId the delivery's event
 * @param endpointId the endpoint
 * @param eventType the event's type
 * @param state the state the delivery is in after this update
 * @param attempt the 1-based number of the attempt this update reports, 0 if none
 * @param httpStatus the receiver's HTTP status, 0 when no response was received
 * @param errorKind why the attempt failed ({@code timeout}, {@code connect}, {@code http_5xx}, ...), empty on success
 * @param latency how long the attempt took
 * @param nextAttemptAt when the next attempt is due, for a delivery that will be retried; null otherwise
 * @param occurredAt when the change happened
 * @param missed with {@link UpdateKind#LAGGED}: how many updates this stream missed
 * @param detail free text for endpoint changes, such as the disable reason
 */
public record DeliveryUpdate(
    UpdateKind kind,
    long sequence,
    String deliveryId,
    String eventId,
    String endpointId,
    String eventType,
    DeliveryState state,
    int attempt,
    int httpStatus,
    String errorKind,
    Duration latency,
    Instant nextAttemptAt,
    Instant occurredAt,
    long missed,
    String detail) {
}
