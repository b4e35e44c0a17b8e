/**
 * The wrapper against an in-process fake WebhookService: what it sends, and
 * how its stream ends, is cancelled and fails. Needs no webhookd.
 */
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { DeliveryState, WebhookdClient, type DeliveryUpdate } from '../src';
import { LOADER_OPTIONS, PROTO_FILE } from '../src/client';
import type { ProtoGrpcType } from '../src/generated/webhook';
import type { DispatchRequest__Output } from '../src/generated/webhook/v1/DispatchRequest';
import type { StreamDeliveriesRequest__Output } from '../src/generated/webhook/v1/StreamDeliveriesRequest';
import type { WebhookServiceHandlers } from '../src/generated/webhook/v1/WebhookService';

/** What the fake server saw of the last Dispatch. */
let lastDispatch:
  | { request: DispatchRequest__Output; metadata: grpc.Metadata; deadline: grpc.Deadline }
  | undefined;
/** The last StreamDeliveries request, and a promise of its cancellation. */
let lastStream: { request: StreamDeliveriesRequest__Output; cancelled: Promise<void> } | undefined;

/** Every test fails rather than hangs when a call is never answered or cancelled. */
const TIMEOUT = { timeout: 5_000 };

const handlers: Partial<WebhookServiceHandlers> = {
  Dispatch(call, callback) {
    lastDispatch = { request: call.request, metadata: call.metadata, deadline: call.getDeadline() };
    if (call.request.eventType === 'bad') {
      callback({ code: grpc.status.INVALID_ARGUMENT, details: 'bad event type' });
    } else {
      callback(null, { eventId: 'evt_1', deliveryIds: ['dlv_1'], duplicate: false });
    }
  },
  StreamDeliveries(call) {
    lastStream = {
      request: call.request,
      cancelled: new Promise((resolve) => call.on('cancelled', () => resolve())),
    };
    const mode = call.request.endpointIds[0];
    call.write({ eventId: 'evt_1', state: 'DELIVERY_STATE_PENDING', sequence: 1 });
    call.write({ eventId: 'evt_1', state: 'DELIVERY_STATE_SUCCEEDED', sequence: 2 });
    if (mode === 'end') {
      call.end();
    } else if (mode === 'fail') {
      call.emit('error', { code: grpc.status.NOT_FOUND, details: 'no such endpoint' });
    }
    // Otherwise the stream stays open until the client cancels it.
  },
};

let server: grpc.Server;
let address: string;

before(async () => {
  const proto = grpc.loadPackageDefinition(
    protoLoader.loadSync(PROTO_FILE, LOADER_OPTIONS),
  ) as unknown as ProtoGrpcType;
  server = new grpc.Server();
  server.addService(
    proto.webhook.v1.WebhookService.service,
    handlers as grpc.UntypedServiceImplementation,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  address = `127.0.0.1:${port}`;
});

after(() => server.forceShutdown());

/** Runs `body` with a fresh client, closing it afterwards. */
async function withClient(
  options: ConstructorParameters<typeof WebhookdClient>[1],
  body: (client: WebhookdClient) => Promise<void>,
): Promise<void> {
  const client = new WebhookdClient(address, options);
  try {
    await body(client);
  } finally {
    client.close();
  }
}

test('dispatch sends the payload as JSON text, the API key and a deadline', TIMEOUT, async () => {
  await withClient({ apiKey: 'k3y', deadlineMs: 5_000 }, async (client) => {
    const before = Date.now();
    const payload = { order_id: 'ord_1', total: 99.99 };
    const eventId = await client.dispatch('order.created', payload, {
      idempotencyKey: 'idem-1',
      endpointIds: ['ep_a', 'ep_b'],
    });
    assert.equal(eventId, 'evt_1');
    assert.ok(lastDispatch);
    const { request, metadata, deadline } = lastDispatch;
    assert.equal(request.eventType, 'order.created');
    assert.equal(request.body, 'payloadJson');
    assert.equal(request.payloadJson, JSON.stringify(payload));
    assert.equal(request.idempotencyKey, 'idem-1');
    assert.deepEqual(request.endpointIds, ['ep_a', 'ep_b']);
    assert.deepEqual(metadata.get('authorization'), ['Bearer k3y']);
    const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
    assert.ok(deadlineMs >= before + 5_000 && deadlineMs <= Date.now() + 5_000, `${deadlineMs}`);
  });
});

test('dispatch without options sends no API key', TIMEOUT, async () => {
  await withClient({}, async (client) => {
    await client.dispatch('order.created', {});
    assert.deepEqual(lastDispatch?.metadata.get('authorization'), []);
    assert.deepEqual(lastDispatch?.request.endpointIds, []);
  });
});

test('dispatch rejects with the gRPC status', TIMEOUT, async () => {
  await withClient({}, async (client) => {
    await assert.rejects(client.dispatch('bad', {}), { code: grpc.status.INVALID_ARGUMENT });
  });
});

/** Collects every update of a stream. */
async function collect(stream: AsyncIterable<DeliveryUpdate>): Promise<DeliveryUpdate[]> {
  const updates: DeliveryUpdate[] = [];
  for await (const update of stream) {
    updates.push(update);
  }
  return updates;
}

test('streamDeliveries yields every update until the server ends the stream', TIMEOUT, async () => {
  await withClient({ apiKey: 'k3y' }, async (client) => {
    const stream = client.streamDeliveries({
      endpointIds: ['end'],
      states: ['DELIVERY_STATE_SUCCEEDED'],
    });
    const updates = await collect(stream);
    assert.deepEqual(lastStream?.request.states, ['DELIVERY_STATE_SUCCEEDED']);
    assert.deepEqual(
      updates.map((u) => [u.state, u.sequence]),
      [
        [DeliveryState.DELIVERY_STATE_PENDING, '1'],
        [DeliveryState.DELIVERY_STATE_SUCCEEDED, '2'],
      ],
    );
  });
});

test('streamDeliveries throws the gRPC status of a failed stream', TIMEOUT, async () => {
  await withClient({}, async (client) => {
    await assert.rejects(collect(client.streamDeliveries({ endpointIds: ['fail'] })), {
      code: grpc.status.NOT_FOUND,
    });
  });
});

test('cancel ends a waiting iteration without an error', TIMEOUT, async () => {
  await withClient({}, async (client) => {
    const stream = client.streamDeliveries({ endpointIds: ['open'] });
    const updates: DeliveryUpdate[] = [];
    for await (const update of stream) {
      updates.push(update);
      if (updates.length === 2) {
        setTimeout(() => stream.cancel(), 10);
      }
    }
    assert.equal(updates.length, 2);
    await lastStream?.cancelled;
  });
});

test('leaving the loop early cancels the call', TIMEOUT, async () => {
  await withClient({}, async (client) => {
    for await (const update of client.streamDeliveries({ endpointIds: ['open'] })) {
      assert.equal(update.eventId, 'evt_1');
      break;
    }
    await lastStream?.cancelled;
  });
});
