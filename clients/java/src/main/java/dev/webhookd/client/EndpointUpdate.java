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
 * }</pre>
 */
public final class EndpointUpdate {
  private static final EndpointUpdate NONE = new EndpointUpdate(null, null, null, false, null);

  private final String url;
  private final List<String> eventTypes;
  private final Map<String, String> headers;
  private final boolean changesRetryPolicy;
  private final RetrySchedule retryPolicy;

  private EndpointUpdate(
      String url,
      List<String> eventTypes,
      Map<String, String> headers,
      boolean changesRetryPolicy,
      RetrySchedule retryPolicy) {
    this.url = url;
    this.eventTypes = eventTypes;
    this.headers = headers;
    this.changesRetryPolicy = changesRetryPolicy;
    this.retryPolicy = retryPolicy;
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
        Objects.requireNonNull(url, "url"), eventTypes, headers, changesRetryPolicy, retryPolicy);
  }

  /**
   * Returns a copy that sets new subscriptions.
   *
   * @param eventTypes the event types and patterns ({@code "order.*"})
   * @return the new update
   */
  public EndpointUpdate withEventTypes(List<String> eventTypes) {
    return new EndpointUpdate(
        url, List.copyOf(eventTypes), headers, changesRetryPolicy, retryPolicy);
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
        url, eventTypes, Map.copyOf(headers), changesRetryPolicy, retryPolicy);
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
        url, eventTypes, headers, true, Objects.requireNonNull(retryPolicy, "retryPolicy"));
  }

  /**
   * Returns a copy that removes the endpoint's own retry schedule: its deliveries follow the
   * config's {@code retry_policy} again.
   *
   * @return the new update
   */
  public EndpointUpdate withoutRetryPolicy() {
    return new EndpointUpdate(url, eventTypes, headers, true, null);
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
}
