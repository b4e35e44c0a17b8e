package dev.webhookd.client;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Selects the events of {@link WebhookdClient#listEvents listEvents}, and the page. Every setting
 * is optional. Immutable: each {@code with} method returns a copy.
 *
 * <pre>{@code
 * Page<Event> page = client.listEvents(ListEventsOptions.defaults()
 *     .withEventTypes(List.of("order.*"))
 *     .withPageSize(500));
 * }</pre>
 */
public final class ListEventsOptions {
  private static final ListEventsOptions DEFAULTS =
      new ListEventsOptions(null, null, List.of(), "", 0, "");

  private final Instant startTime;
  private final Instant endTime;
  private final List<String> eventTypes;
  private final String endpointId;
  private final int pageSize;
  private final String pageToken;

  private ListEventsOptions(
      Instant startTime,
      Instant endTime,
      List<String> eventTypes,
      String endpointId,
      int pageSize,
      String pageToken) {
    this.startTime = startTime;
    this.endTime = endTime;
    this.eventTypes = eventTypes;
    this.endpointId = endpointId;
    this.pageSize = pageSize;
    this.pageToken = pageToken;
  }

  /**
   * Returns the options that list every event, from the first page, with the server's page size.
   *
   * @return the default options
   */
  public static ListEventsOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Returns a copy that lists only events created at or after this time.
   *
   * @param startTime the time, or null for no lower bound
   * @return the new options
   */
  public ListEventsOptions withStartTime(Instant startTime) {
    return new ListEventsOptions(startTime, endTime, eventTypes, endpointId, pageSize, pageToken);
  }

  /**
   * Returns a copy that lists only events created before this time.
   *
   * @param endTime the time, or null for no upper bound
   * @return the new options
   */
  public ListEventsOptions withEndTime(Instant endTime) {
    return new ListEventsOptions(startTime, endTime, eventTypes, endpointId, pageSize, pageToken);
  }

  /**
   * Returns a copy that lists only events whose type matches one of these ({@code "order.*"}).
   *
   * @param eventTypes the types and patterns; empty for any
   * @return the new options
   */
  public ListEventsOptions withEventTypes(List<String> eventTypes) {
    return new ListEventsOptions(
        startTime, endTime, List.copyOf(eventTypes), endpointId, pageSize, pageToken);
  }

  /**
   * Returns a copy that lists only events with a delivery to this endpoint.
   *
   * @param endpointId the endpoint id; empty for any
   * @return the new options
   */
  public ListEventsOptions withEndpointId(String endpointId) {
    Objects.requireNonNull(endpointId, "endpointId");
    return new ListEventsOptions(startTime, endTime, eventTypes, endpointId, pageSize, pageToken);
  }

  /**
   * Returns a copy with a page size.
   *
   * @param pageSize at most this many events (0: the server's default, 100; at most 1000)
   * @return the new options
   */
  public ListEventsOptions withPageSize(int pageSize) {
    if (pageSize < 0) {
      throw new IllegalArgumentException("pageSize must not be negative");
    }
    return new ListEventsOptions(startTime, endTime, eventTypes, endpointId, pageSize, pageToken);
  }

  /**
   * Returns a copy that gets the page after a previous one.
   *
   * @param pageToken the previous page's {@link Page#nextPageToken()}; empty for the first page
   * @return the new options
   */
  public ListEventsOptions withPageToken(String pageToken) {
    Objects.requireNonNull(pageToken, "pageToken");
    return new ListEventsOptions(startTime, endTime, eventTypes, endpointId, pageSize, pageToken);
  }

  /**
   * Returns the lower bound of the events' creation time.
   *
   * @return the time, or null
   */
  public Instant startTime() {
    return startTime;
  }

  /**
   * Returns the upper bound (exclusive) of the events' creation time.
   *
   * @return the time, or null
   */
  public Instant endTime() {
    return endTime;
  }

  /**
   * Returns the event types and patterns.
   *
   * @return the types, empty for any
   */
  public List<String> eventTypes() {
    return eventTypes;
  }

  /**
   * Returns the endpoint.
   *
   * @return the endpoint id, empty for any
   */
  public String endpointId() {
    return endpointId;
  }

  /**
   * Returns the page size.
   *
   * @return the page size, 0 for the server's default
   */
  public int pageSize() {
    return pageSize;
  }

  /**
   * Returns the page token.
   *
   * @return the token, empty for the first page
   */
  public String pageToken() {
    return pageToken;
  }
}
