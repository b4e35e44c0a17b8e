package dev.webhookd.client;

import java.time.Duration;
import java.time.Instant;

/**
 * One HTTP attempt of a delivery.
 *
 * @param number 1 for the first attempt of the delivery
 * @param startedAt when it started
 * @param duration how long it took
 * @param httpStatus the receiver's status; 0 when no response was received
 * @param errorKind empty on success; {@code timeout}, {@code connect}, {@code dns}, {@code tls}, {@code http_4xx}, {@code http_5xx}, ...
 * @param errorMessage what went wrong, empty on success
 * @param responseExcerpt the first bytes of the response body
 */
public record Attempt(
    int number,
    Instant startedAt,
    Duration duration,
    int httpStatus,
    String errorKind,
    String errorMessage,
    String responseExcerpt) {
}
