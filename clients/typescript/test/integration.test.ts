/**
 * End to end against a live webhookd (clients/test.sh starts one). Skipped
 * unless WEBHOOKD_ADDR is set.
 *
 * Runs a receiver on 127.0.0.1:$WEBHOOKD_RECEIVER_PORT (the URL of endpoint
 * $WEBHOOKD_ENDPOINT_ID), dispatches an event to that endpoint, checks the
 * signed request it receives, and waits for the stream to report success;
 * then dispatches three events with one ordering key and checks that they
 * arrive one at a time, in dispatch order.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import { verify, WebhookdClient, WebhookdError, type Delivery, type DeliveryUpdate } from '../src';

const env = process.env;
const STREAM_DEADLINE_MS = 20_000;
/**
 * How long the receiver may hold a delivery back: less than the harness
 * webhookd's default_timeout_seconds (5), so that it never times out.
 */
const HOLD_MS = 4_000;

/** One request the receiver got. */
interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
  verifyError: unknown;
}

/** `promise`, or a rejection after `ms` (the timer cleared either way). */
async function within<T>(promise: Promise<T>, ms: number, what = 'timed out'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A request body's JSON object; empty when it is none. */
function payloadOf(body: Buffer): Record<string, unknown> {
  try {
    const payload: unknown = JSON.parse(body.toString('utf8'));
    return typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Reads a required variable of clients/test.sh. */
function required(name: string): string {
  const value = env[name];
  assert.ok(value, `${name} must be set with WEBHOOKD_ADDR`);
  return value;
}

test(
  'dispatch, receive, verify and stream',
  { skip: env.WEBHOOKD_ADDR ? false : 'WEBHOOKD_ADDR is not set', timeout: 60_000 },
  async (t) => {
    const address = required('WEBHOOKD_ADDR');
    const port = Number(required('WEBHOOKD_RECEIVER_PORT'));
    const endpointId = required('WEBHOOKD_ENDPOINT_ID');
    const secret = required('WEBHOOKD_ENDPOINT_SECRET');
    const eventType = required('WEBHOOKD_EVENT_TYPE');

    // The receiver: verifies every request with the SDK, answers 204 or 401,
    // and records them in the order it answers them. A request whose payload
    // has `hold: holdToken` is answered only once `release` is called.
    const requests: Received[] = [];
    let onReceived: () => void = () => {};
    let holdToken: string | undefined;
    let onHeld: () => void = () => {};
    let release: () => void = () => {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', async () => {
        const body = Buffer.concat(chunks);
        let verifyError: unknown;
        try {
          verify(body, req.headers, secret);
        } catch (error) {
          verifyError = error;
        }
        if (holdToken !== undefined && payloadOf(body).hold === holdToken) {
          const released = new Promise<void>((resolve) => {
            release = resolve;
          });
          onHeld();
          await within(released, HOLD_MS).catch(() => {}); // answered anyway after HOLD_MS
        }
        requests.push({ headers: req.headers, body, verifyError });
        res.writeHead(verifyError === undefined ? 204 : 401).end();
        onReceived();
      });
    });
    /** The only delivery of `eventId`, once `ready` holds for it. */
    const deliveryOnce = async (eventId: string, what: string, ready: (d: Delivery) => boolean): Promise<Delivery> => {
      const deadline = Date.now() + STREAM_DEADLINE_MS;
      for (;;) {
        const [delivery] = (await client.getEvent(eventId)).deliveries;
        if (ready(delivery)) {
          return delivery;
        }
        assert.ok(Date.now() < deadline, `${eventId} never ${what}: ${delivery.state} after ${delivery.attemptCount} attempts`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    /** The request of `eventId`, once the receiver has it. */
    const requestOf = async (eventId: string): Promise<Received> => {
      const deadline = Date.now() + STREAM_DEADLINE_MS;
      for (;;) {
        const found = requests.find((r) => r.headers['x-webhook-id'] === eventId);
        if (found) {
          return found;
        }
        assert.ok(Date.now() < deadline, `no delivery of ${eventId} within ${STREAM_DEADLINE_MS} ms`);
        await new Promise<void>((resolve) => {
          onReceived = resolve;
          setTimeout(resolve, 50);
        });
      }
    };
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    t.after(() => {
      server.closeAllConnections();
      server.close();
    });

    const client = new WebhookdClient({ address });
    t.after(() => client.close());

    // Open the stream first, replaying from a little before now so that no
    // update of the event can be missed; collect updates in the background.
    const stream = client.streamDeliveries({
      endpointIds: [endpointId],
      sinceTime: new Date(Date.now() - 5_000),
    });
    t.after(() => stream.close());
    const updates: DeliveryUpdate[] = [];
    let streamOutcome: { error: unknown } | undefined;
    void (async () => {
      try {
        for await (const update of stream) {
          updates.push(update);
        }
        streamOutcome = { error: new Error('the stream ended') };
      } catch (error) {
        streamOutcome = { error };
      }
    })();

    const { eventId, deliveryIds, duplicate } = await client.dispatch(
      eventType,
      { sdk: 'typescript', n: 1, note: 'Zoë 😀' },
      { endpointIds: [endpointId] },
    );
    assert.match(eventId, /^evt_/);
    assert.equal(deliveryIds.length, 1);
    assert.equal(duplicate, false);

    await t.test('the receiver gets the event, correctly signed', async () => {
      const received = await requestOf(eventId);
      assert.equal(received.verifyError, undefined, `verification failed: ${received.verifyError}`);
      assert.equal(received.headers['x-webhook-id'], eventId);
      assert.deepEqual(JSON.parse(received.body.toString('utf8')), {
        sdk: 'typescript',
        n: 1,
        note: 'Zoë 😀',
      });
    });

    await t.test('the stream reports the delivery as succeeded', async () => {
      const deadline = Date.now() + STREAM_DEADLINE_MS;
      const success = (): DeliveryUpdate | undefined =>
        updates.find(
          (u) => u.eventId === eventId && u.state === 'succeeded',
        );
      while (success() === undefined) {
        if (streamOutcome !== undefined) {
          throw streamOutcome.error;
        }
        assert.ok(
          Date.now() < deadline,
          `no succeeded update for ${eventId} within ${STREAM_DEADLINE_MS} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(success()?.endpointId, endpointId);
      assert.equal(success()?.deliveryId, deliveryIds[0]);
    });

    await t.test('an ordering key delivers one at a time, in dispatch order', async () => {
      const orderingKey = `sdk-typescript-order-${randomUUID()}`;
      const token = randomUUID();
      // The receiver holds the first delivery back: the others must wait for it.
      holdToken = token;
      const held = new Promise<void>((resolve) => {
        onHeld = resolve;
      });
      const dispatch = async (payload: object): Promise<string> =>
        (await client.dispatch(eventType, payload, { endpointIds: [endpointId], orderingKey })).eventId;
      let ids: string[];
      try {
        ids = [await dispatch({ n: 1, hold: token }), await dispatch({ n: 2 }), await dispatch({ n: 3 })];
        await within(held, STREAM_DEADLINE_MS, `no delivery of ${ids[0]}`);
        const waiting = await deliveryOnce(ids[1], 'waits for its key', (d) => d.waitingForOrderingKey);
        assert.deepEqual(
          [waiting.state, waiting.orderingKey, waiting.nextAttemptAt, waiting.endpointId, waiting.attemptCount],
          ['pending', orderingKey, undefined, endpointId, 0],
        );
        const arrived = requests.map((r) => r.headers['x-webhook-id']);
        assert.ok(!arrived.includes(ids[1]) && !arrived.includes(ids[2]), arrived.join());
      } finally {
        holdToken = undefined;
        release();
      }
      for (const id of ids) {
        const received = await requestOf(id);
        assert.equal(received.verifyError, undefined);
      }
      const order = requests.map((r) => r.headers['x-webhook-id']).filter((id) => ids.includes(String(id)));
      assert.deepEqual(order, ids);
      for (const id of ids) {
        assert.equal((await client.getEvent(id)).event.orderingKey, orderingKey);
        // The receiver has the request before webhookd has recorded its answer.
        const delivery = await deliveryOnce(id, 'succeeds', (d) => d.state === 'succeeded');
        assert.deepEqual([delivery.orderingKey, delivery.waitingForOrderingKey], [orderingKey, false]);
      }
    });

    await t.test('an unknown endpoint is NOT_FOUND with its reason', async () => {
      await assert.rejects(client.dispatch(eventType, {}, { endpointIds: ['ep_unknown'] }), (error: unknown) => {
        assert.ok(error instanceof WebhookdError);
        assert.equal(error.codeName, 'NOT_FOUND');
        assert.equal(error.reason, 'ENDPOINT_NOT_FOUND');
        return true;
      });
    });
  },
);
