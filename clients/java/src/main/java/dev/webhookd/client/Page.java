package dev.webhookd.client;

import java.util.List;

/**
 * One page of a list call. To get the next page, call again with {@link #nextPageToken()} as the
 * page token, until it is empty.
 *
 * @param items the items of this page
 * @param nextPageToken the token of the next page; empty on the last page
 * @param <T> the type of the items
 */
public record Page<T>(List<T> items, String nextPageToken) {
  /** Copies the items, so that the record is immutable. */
  public Page {
    items = List.copyOf(items);
  }

  /**
   * Tells whether there is a next page.
   *
   * @return true when {@link #nextPageToken()} is not empty
   */
  public boolean hasNextPage() {
    return !nextPageToken.isEmpty();
  }
}
