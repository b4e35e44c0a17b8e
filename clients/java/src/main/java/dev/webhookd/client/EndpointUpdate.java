package dev.webhookd.client;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The changes of {@link WebhookdClient#updateEndpoint(String, EndpointUpdate) updateEndpoint}: the
 * update mask is built from the fields set; the others are kept. Immutable: each {@code with}
 * method returns a copy.
 *
 * <pre>{@code
 * client.updateEndpoint("ep_billing", EndpointUpdate.none()
 *     .withUrl("https://billing.example.com/v2/webhooks")
 *     .withRetryPolicy(RetrySchedule.of(5, Duration.ofSeconds(1), Duration.ofSeconds(30))));
 *
 * // Back to the config's retry_policy.
 * client.updateEndpoint("ep_billing", EndpointUpdate.none().withoutRetryPolicy());
 *
 * // A new payload filter, then none.
 * client.updateEndpoint("ep_billing", EndpointUpdate.none()
 *     .withFilter(Map.of("order.total", Map.of("$gte", 1000))));
 * client.updateEndpoint("ep_billing", EndpointUpdate.none().withoutFilter());
 * }</pre>
 */
public final class EndpointUpdate {
  private static final EndpointUpdate NONE =
      new EndpointUpdate(null, null, null, false, null, false, null);

  private final String url;
  private final List<String> eventTypes;
  private final Map<String, String> headers;
  private final boolean changesRetryPolicy;
  private final RetrySchedule retryPolicy;
  private final boolean changesFilter;
  private final Map<String, Object> filter;

  private EndpointUpdate(
      String url,
      List<String> eventTypes,
      Map<String, String> headers,
      boolean changesRetryPolicy,
      RetrySchedule retryPolicy,
      boolean changesFilter,
      Map<String, Object> filter) {
    this.url = url;
    this.eventTypes = eventTypes;
    this.headers = headers;
    this.changesRetryPolicy = changesRetryPolicy;
    this.retryPolicy = retryPolicy;
    this.changesFilter = changesFilter;
    this.filter = filter;
  }

  /**
   * Returns the update that changes nothing, to add changes to with the {@code with} methods.
   *
   * @return the empty update
   */
  public static EndpointUpdate none() {
    return NONE;
  }

  /**
   * Returns a copy that sets a new URL; it applies to the next attempt of every pending delivery.
   *
   * @param url where deliveries are sent, http(s) with a host
   * @return the new update
   */
  public EndpointUpdate withUrl(String url) {
    return new EndpointUpdate(
        Objects.requireNonNull(url, "url"),
        eventTypes,
        headers,
        changesRetryPolicy,
        retryPolicy,
        changesFilter,
        filter);
  }

  /**
   * Returns a copy that sets new subscriptions.
   *
   * @param eventTypes the event types and patterns ({@code "order.*"})
   * @return the new update
   */
  public EndpointUpdate withEventTypes(List<String> eventTypes) {
    return new EndpointUpdate(
        url,
        List.copyOf(eventTypes),
        headers,
        changesRetryPolicy,
        retryPolicy,
        changesFilter,
        filter);
  }

  /**
   * Returns a copy that replaces all the custom headers; see {@link
   * CreateEndpointOptions#withHeaders(Map)} for the rules. They apply to the next attempt of every
   * pending delivery.
   *
   * @param headers header values by name; empty to remove them all
   * @return the new update
   */
  public EndpointUpdate withHeaders(Map<String, String> headers) {
    return new EndpointUpdate(
        url,
        eventTypes,
        Map.copyOf(headers),
        changesRetryPolicy,
        retryPolicy,
        changesFilter,
        filter);
  }

  /**
   * Returns a copy that gives the endpoint its own retry schedule, replacing any it had. It applies
   * to the next attempt of every pending delivery.
   *
   * @param retryPolicy the schedule; see {@link #withoutRetryPolicy()} to go back to the config's
   * @return the new update
   */
  public EndpointUpdate withRetryPolicy(RetrySchedule retryPolicy) {
    return new EndpointUpdate(
        url,
        eventTypes,
        headers,
        true,
        Objects.requireNonNull(retryPolicy, "retryPolicy"),
        changesFilter,
        filter);
  }

  /**
   * Returns a copy that removes the endpoint's own retry schedule: its deliveries follow the
   * config's {@code retry_policy} again.
   *
   * @return the new update
   */
  public EndpointUpdate withoutRetryPolicy() {
    return new EndpointUpdate(url, eventTypes, headers, true, null, changesFilter, filter);
  }

  /**
   * Returns a copy that gives the endpoint a new payload filter, replacing any it had; see {@link
   * CreateEndpointOptions#withFilter(Map)} for the language. It applies to the events dispatched
   * after. An invalid one is refused by the server with {@code INVALID_ARGUMENT} and a field
   * violation under {@code endpoint.filter}.
   *
   * @param filter the filter, of maps with string keys, lists, strings, numbers, booleans and
   *     nulls; see {@link #withoutFilter()} to remove it
   * @return the new update
   * @throws IllegalArgumentException if the filter holds a key that is not a string or a value of
   *     another type
   */
  public EndpointUpdate withFilter(Map<String, ?> filter) {
    return new EndpointUpdate(
        url,
        eventTypes,
        headers,
        changesRetryPolicy,
        retryPolicy,
        true,
        Convert.copyJsonObject(Objects.requireNonNull(filter, "filter")));
  }

  /**
   * Returns a copy that removes the endpoint's payload filter: every event of its types is routed
   * to it again, from the events dispatched after.
   *
   * @return the new update
   */
  public EndpointUpdate withoutFilter() {
    return new EndpointUpdate(url, eventTypes, headers, changesRetryPolicy, retryPolicy, true, null);
  }

  /**
   * Returns the new URL.
   *
   * @return the URL, or null when it is kept
   */
  public String url() {
    return url;
  }

  /**
   * Returns the new subscriptions.
   *
   * @return the event types and patterns (unmodifiable), or null when they are kept
   */
  public List<String> eventTypes() {
    return eventTypes;
  }

  /**
   * Returns the new custom headers.
   *
   * @return header values by name (unmodifiable; empty to remove them all), or null when they are
   *     kept
   */
  public Map<String, String> headers() {
    return headers;
  }

  /**
   * Tells whether the update sets or removes the endpoint's own retry schedule.
   *
   * @return true after {@link #withRetryPolicy} or {@link #withoutRetryPolicy}
   */
  public boolean changesRetryPolicy() {
    return changesRetryPolicy;
  }

  /**
   * Returns the new retry schedule.
   *
   * @return the schedule, or null when it is kept or removed (see {@link #changesRetryPolicy()})
   */
  public RetrySchedule retryPolicy() {
    return retryPolicy;
  }

  /**
   * Tells whether the update sets or removes the endpoint's payload filter.
   *
   * @return true after {@link #withFilter} or {@link #withoutFilter}
   */
  public boolean changesFilter() {
    return changesFilter;
  }

  /**
   * Returns the new payload filter.
   *
   * @return the filter as JSON values (unmodifiable; numbers are {@link Double}s), or null when it
   *     is kept or removed (see {@link #changesFilter()})
   */
  public Map<String, Object> filter() {
    return filter;
  }
}
