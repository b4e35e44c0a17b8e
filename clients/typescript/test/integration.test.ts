/**
 * End to end against a live webhookd (clients/test.sh starts one). Skipped
 * unless WEBHOOKD_ADDR is set.
 *
 * Runs a receiver on 127.0.0.1:$WEBHOOKD_RECEIVER_PORT (the URL of endpoint
 * $WEBHOOKD_ENDPOINT_ID), dispatches an event to that endpoint, checks the
 * signed request it receives, and waits for the stream to report success.
 */
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import { verify, WebhookdClient, WebhookdError, type DeliveryUpdate } from '../src';

const env = process.env;
const STREAM_DEADLINE_MS = 20_000;

/** One request the receiver got. */
interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
  verifyError: unknown;
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

    // The receiver: verifies every request with the SDK, answers 204 or 401.
    let onReceived: (received: Received) => void = () => {};
    const firstRequest = new Promise<Received>((resolve) => {
      onReceived = resolve;
    });
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        let verifyError: unknown;
        try {
          verify(body, req.headers, secret);
        } catch (error) {
          verifyError = error;
        }
        res.writeHead(verifyError === undefined ? 204 : 401).end();
        onReceived({ headers: req.headers, body, verifyError });
      });
    });
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
      const received = await firstRequest;
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
