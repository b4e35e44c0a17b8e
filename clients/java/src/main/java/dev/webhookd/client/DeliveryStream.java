package dev.webhookd.client;

import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The updates of {@link WebhookdClient#streamDeliveries streamDeliveries}, for a for-each loop:
 *
 * <pre>{@code
 * try (DeliveryStream stream = client.streamDeliveries(filter)) {
 *   for (DeliveryUpdate update : stream) {
 *     ...
 *   }
 * }
 * }</pre>
 *
 * <p>The iterator's {@code hasNext()} blocks until the next update arrives; the loop ends when the
 * server ends the stream or the stream is {@linkplain #close() closed} (from any thread). A failed
 * stream, or one past its timeout ({@code DEADLINE_EXCEEDED}), throws a {@link WebhookdException}.
 * The stream can be iterated once.
 */
public final class DeliveryStream implements Iterable<DeliveryUpdate>, AutoCloseable {
  private final Context.CancellableContext context;
  private final Iterator<dev.webhookd.v1.DeliveryUpdate> updates;
  private volatile boolean closed;
  private boolean iterated;

  DeliveryStream(
      Context.CancellableContext context, Iterator<dev.webhookd.v1.DeliveryUpdate> updates) {
    this.context = context;
    this.updates = updates;
  }

  /**
   * Returns the iterator of the updates. A stream has one: a second call fails.
   *
   * @return the iterator
   * @throws IllegalStateException if it was already called
   */
  @Override
  public synchronized Iterator<DeliveryUpdate> iterator() {
    if (iterated) {
      throw new IllegalStateException("a DeliveryStream can be iterated once");
    }
    iterated = true;
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        if (closed) {
          return false;
        }
        try {
          return updates.hasNext();
        } catch (StatusRuntimeException e) {
          if (closed) {
            return false;
          }
          throw WebhookdException.from(e);
        }
      }

      @Override
      public DeliveryUpdate next() {
        if (!hasNext()) {
          throw new NoSuchElementException("the stream has ended");
        }
        return Convert.update(updates.next());
      }
    };
  }

  /** Cancels the stream; a loop waiting for an update in another thread then ends. */
  @Override
  public void close() {
    closed = true;
    context.cancel(null);
  }
}
