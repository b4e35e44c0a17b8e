package dev.webhookd.client;

import dev.webhookd.v1.DeliveryUpdate;
import io.grpc.Context;
import java.util.Iterator;

/**
 * The live updates of {@link WebhookdClient#streamDeliveries}. {@link #hasNext()} blocks until the
 * next update arrives; it throws {@link io.grpc.StatusRuntimeException} if the stream fails.
 * Close the stream to stop receiving, for example from another thread.
 */
public final class DeliveryStream implements Iterator<DeliveryUpdate>, AutoCloseable {
  private final Context.CancellableContext context;
  private final Iterator<DeliveryUpdate> updates;

  DeliveryStream(Context.CancellableContext context, Iterator<DeliveryUpdate> updates) {
    this.context = context;
    this.updates = updates;
  }

  /**
   * Waits for the next update.
   *
   * @return true when an update is available, false when the server ended the stream
   */
  @Override
  public boolean hasNext() {
    return updates.hasNext();
  }

  /**
   * Returns the next update, waiting for it if needed.
   *
   * @return the update
   */
  @Override
  public DeliveryUpdate next() {
    return updates.next();
  }

  /** Cancels the stream; a thread blocked in {@link #hasNext()} then gets a CANCELLED status. */
  @Override
  public void close() {
    context.cancel(null);
  }
}
