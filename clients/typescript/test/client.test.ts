/**
 * The client against an in-process fake WebhookService: what it sends, how
 * it retries and what it makes of replies, errors and streams. Needs no
 * webhookd.
 */
import { strict as assert } from 'node:assert';
import { after, before, beforeEach, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';
import {
  DEFAULT_RETRY_POLICY,
  WebhookdClient,
  WebhookdError,
  type DeliveryUpdate,
  type WebhookdClientOptions,
} from '../src';
import { isLoopback } from '../src/channel';
import { webhookGrpc } from '../src/client';
import { retryDelay, retryPolicy } from '../src/retry';
import type { Delivery } from '../src/generated/webhook/v1/Delivery';
import type { GetEventResponse } from '../src/generated/webhook/v1/GetEventResponse';
import type { ListEventTypesResponse } from '../src/generated/webhook/v1/ListEventTypesResponse';
import type { WebhookServiceHandlers } from '../src/generated/webhook/v1/WebhookService';

/** One call as the fake server saw it. */
interface Received {
  method: string;
  request: Record<string, unknown>;
  metadata: grpc.Metadata;
  /** Milliseconds until the call's deadline, Infinity without one. */
  remainingMs: number;
}

let received: Received[] = [];
/** Statuses the next calls of a method get instead of their answer. */
let failures: Record<string, grpc.StatusObject[]> = {};
/** Resolved when the server sees a stream cancelled. */
let streamCancelled: Promise<void> = Promise.resolve();

/** Every test fails rather than hangs when a call is never answered or cancelled. */
const TIMEOUT = { timeout: 10_000 };
/** Retries without waiting, so that the tests stay fast. */
const FAST_RETRY = { maxAttempts: 3, initialBackoffMs: 1, maxBackoffMs: 1 };

function record(method: string, call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>): grpc.StatusObject | undefined {
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  received.push({
    method,
    request: call.request as Record<string, unknown>,
    metadata: call.metadata,
    remainingMs: deadlineMs - Date.now(),
  });
  return failures[method]?.shift();
}

function unary<Reply>(method: string, reply: (request: any) => Reply) {
  return (call: grpc.ServerUnaryCall<any, Reply>, callback: grpc.sendUnaryData<Reply>) => {
    const failure = record(method, call);
    if (failure) {
      callback(failure);
    } else {
      callback(null, reply(call.request));
    }
  };
}

const handlers: Partial<WebhookServiceHandlers> = {
  Dispatch: unary('Dispatch', () => ({ eventId: 'evt_1', deliveryIds: ['dlv_1'], duplicate: false })),
  Replay: unary('Replay', () => ({ deliveryIds: ['dlv_2'], count: '1' })),
  GetEvent: unary('GetEvent', (request): GetEventResponse => {
    const dead: Delivery = { id: 'dlv_1', state: 'DELIVERY_STATE_DEAD', attempts: [{ number: 1, durationMs: String(2 ** 40), errorKind: 'connect' }] };
    const event = { id: request.eventId, createdAt: { seconds: '1700000000', nanos: 123_000_000 } };
    if (request.eventId !== 'evt_ordered') {
      return { event, deliveries: [dead] };
    }
    // Its delivery to a second endpoint waits for the one before it in its key.
    return {
      event: { ...event, orderingKey: 'customer-42' },
      deliveries: [
        { ...dead, orderingKey: 'customer-42' },
        { id: 'dlv_2', state: 'DELIVERY_STATE_PENDING', orderingKey: 'customer-42', waitingForOrderingKey: true },
      ],
    };
  }),
  GetMetrics: unary('GetMetrics', () => ({
    attempted: '9223372036854775813',
    failuresByErrorKind: { timeout: '3' },
    endpoints: [{ endpointId: 'ep_1', concurrencyLimit: 10, concurrencyWindow: 5 }],
    retryBudgetSlots: 4,
    retriesInFlight: 3,
    retriesDeferred: '9223372036854775815',
  })),
  CreateEndpoint: unary('CreateEndpoint', (request) => ({
    id: request.id || 'ep_1',
    url: request.url,
    eventTypes: request.eventTypes,
    headers: Object.fromEntries(
      Object.entries(request.headers as Record<string, string>).map(([name, value]) => [name.toLowerCase(), value]),
    ),
    retryPolicy: request.retryPolicy,
    filter: request.filter,
  })),
  UpdateEndpoint: unary('UpdateEndpoint', (request) => request.endpoint),
  ListEventTypes: unary('ListEventTypes', (): ListEventTypesResponse => ({
    eventTypes: [
      {
        name: 'order.created',
        description: 'An order was placed',
        // A google.protobuf.Struct: every value a google.protobuf.Value, numbers as doubles.
        schema: {
          fields: {
            type: { stringValue: 'object' },
            required: { listValue: { values: [{ stringValue: 'order_id' }, { stringValue: 'total' }] } },
            properties: {
              structValue: {
                fields: {
                  order_id: { structValue: { fields: { type: { stringValue: 'string' } } } },
                  total: { structValue: { fields: { type: { stringValue: 'number' }, minimum: { numberValue: 0 } } } },
                },
              },
            },
          },
        },
      },
      { name: 'order.noted' }, // no description, no schema
    ],
    unknownTypesAllowed: false,
  })),
  RotateEndpointSecret: unary('RotateEndpointSecret', (request) => ({ endpoint: { id: request.id }, newSecret: 's' })),
  CreateApiKey: unary('CreateApiKey', (request) => ({ apiKey: { name: request.name, role: request.role }, key: 'k' })),
  StreamDeliveries(call) {
    const failure = record('StreamDeliveries', call);
    streamCancelled = new Promise((resolve) => call.on('cancelled', () => resolve()));
    if (failure) {
      call.emit('error', failure);
      return;
    }
    call.write({ eventId: 'evt_1', state: 'DELIVERY_STATE_PENDING', kind: 'UPDATE_KIND_CREATED', sequence: '1' });
    call.write({ kind: 'UPDATE_KIND_LAGGED', missed: (2n ** 60n).toString(), sequence: '2' });
    if (call.request.endpointIds[0] === 'end') {
      call.end();
    }
    // Otherwise the stream stays open until the client cancels it.
  },
};

let server: grpc.Server;
let address: string;

before(async () => {
  server = new grpc.Server();
  server.addService(webhookGrpc().webhook.v1.WebhookService.service, handlers as grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  address = `127.0.0.1:${port}`;
});

after(() => server.forceShutdown());

beforeEach(() => {
  received = [];
  failures = {};
});

/** Runs `body` with a fresh client, closing it afterwards. */
async function withClient(
  options: Omit<WebhookdClientOptions, 'address'>,
  body: (client: WebhookdClient) => Promise<void>,
): Promise<void> {
  const client = new WebhookdClient({ address, ...options });
  try {
    await body(client);
  } finally {
    client.close();
  }
}

const calls = (method: string): Received[] => received.filter((r) => r.method === method);

/** Whether a deadline seen by the server is the `ms` the client set. */
const about = (remainingMs: number, ms: number): boolean => remainingMs > ms - 1000 && remainingMs <= ms + 50;

/** A serialized google.rpc.Status with an ErrorInfo and a BadRequest (by default, those of a payload too large). */
function statusDetails(
  reason = 'PAYLOAD_TOO_LARGE',
  metadata: Record<string, string> = { limit: '1024' },
  fieldViolations = [{ field: 'payload_json', description: 'too large' }],
): Buffer {
  const root = protobuf.parse(`syntax = "proto3";
    message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
    message Any { string type_url = 1; bytes value = 2; }
    message ErrorInfo { string reason = 1; string domain = 2; map<string, string> metadata = 3; }
    message BadRequest { repeated V field_violations = 1; }
    message V { string field = 1; string description = 2; }`, { keepCase: true }).root;
  const encode = (type: string, value: object): Uint8Array => root.lookupType(type).encode(value).finish();
  return Buffer.from(
    encode('Status', {
      code: 8,
      details: [
        { type_url: 'type.googleapis.com/google.rpc.ErrorInfo', value: encode('ErrorInfo', { reason, domain: 'webhookd', metadata }) },
        { type_url: 'type.googleapis.com/google.rpc.BadRequest', value: encode('BadRequest', { field_violations: fieldViolations }) },
        { type_url: 'type.googleapis.com/google.rpc.Unknown', value: Buffer.from([8, 1]) },
      ],
    }),
  );
}

function failure(code: grpc.status, details = 'injected failure', statusDetailsBin?: Buffer): grpc.StatusObject {
  const metadata = new grpc.Metadata();
  if (statusDetailsBin) {
    metadata.set('grpc-status-details-bin', statusDetailsBin);
  }
  return { code, details, metadata };
}

test('calls carry the API key and the default deadline, raw ones too', TIMEOUT, async () => {
  await withClient({ apiKey: 'k3y', timeoutMs: 5_000 }, async (client) => {
    await client.getEvent('evt_1');
    await new Promise((resolve, reject) =>
      client.raw.getEvent({ eventId: 'evt_1' }, (error, reply) => (error ? reject(error) : resolve(reply))),
    );
  });
  assert.equal(calls('GetEvent').length, 2);
  for (const call of calls('GetEvent')) {
    assert.deepEqual(call.metadata.get('authorization'), ['Bearer k3y']);
    assert.ok(about(call.remainingMs, 5_000), `${call.remainingMs}`);
    assert.match(String(call.metadata.get('user-agent')[0]), /^webhookd-node\/0\.1\.0/);
  }
});

test('without options: no API key and a 10 s deadline', TIMEOUT, async () => {
  await withClient({}, async (client) => {
    await client.getEvent('evt_1');
  });
  const [call] = calls('GetEvent');
  assert.deepEqual(call.metadata.get('authorization'), []);
  assert.ok(about(call.remainingMs, 10_000), `${call.remainingMs}`);
});

test('timeoutMs null disables the deadline', TIMEOUT, async () => {
  await withClient({ timeoutMs: null }, async (client) => {
    await client.getEvent('evt_1');
  });
  assert.ok(calls('GetEvent')[0].remainingMs > 1e9);
});

test('streams have no deadline unless one is configured', TIMEOUT, async () => {
  await withClient({ streamTimeoutMs: 30_000 }, async (client) => {
    await collect(client.streamDeliveries({ endpointIds: ['end'] }));
    await collect(client.streamDeliveries({ endpointIds: ['end'], timeoutMs: 3_000 }));
  });
  await withClient({}, async (client) => {
    await collect(client.streamDeliveries({ endpointIds: ['end'] }));
  });
  const [configured, perCall, none] = calls('StreamDeliveries');
  assert.ok(about(configured.remainingMs, 30_000), `${configured.remainingMs}`);
  assert.ok(about(perCall.remainingMs, 3_000), `${perCall.remainingMs}`);
  assert.ok(none.remainingMs > 1e9, `${none.remainingMs}`);
});

test('dispatch sends JSON text and generates an idempotency key', TIMEOUT, async () => {
  await withClient({}, async (client) => {
    const result = await client.dispatch('order.created', { total: 99.99 }, { endpointIds: ['ep_a'] });
    assert.deepEqual(result, { eventId: 'evt_1', deliveryIds: ['dlv_1'], duplicate: false });
    await client.dispatch('order.created', {}, { idempotencyKey: 'mine' });
  });
  const [generated, given] = calls('Dispatch');
  assert.equal(generated.request.payloadJson, '{"total":99.99}');
  assert.equal(generated.request.body, 'payloadJson');
  assert.match(String(generated.request.idempotencyKey), /^sdk-[0-9a-f-]{36}$/);
  assert.deepEqual(generated.request.endpointIds, ['ep_a']);
  assert.equal(given.request.idempotencyKey, 'mine');
});

test('an unavailable dispatch is retried with the same key', TIMEOUT, async () => {
  failures.Dispatch = [failure(grpc.status.UNAVAILABLE), failure(grpc.status.UNAVAILABLE)];
  await withClient({ retry: FAST_RETRY }, async (client) => {
    assert.equal((await client.dispatch('order.created', {})).eventId, 'evt_1');
  });
  const keys = new Set(calls('Dispatch').map((c) => c.request.idempotencyKey));
  assert.equal(calls('Dispatch').length, 3);
  assert.equal(keys.size, 1);
});

test('the ordering key is sent, unchanged on retries', TIMEOUT, async () => {
  failures.Dispatch = [failure(grpc.status.UNAVAILABLE), failure(grpc.status.DEADLINE_EXCEEDED)];
  await withClient({ retry: FAST_RETRY }, async (client) => {
    await client.dispatch('order.created', {}, { orderingKey: 'customer-42' }); // retried twice
    await client.dispatch('order.created', {}, { idempotencyKey: 'mine', orderingKey: 'customer-7' });
    await client.dispatch('order.created', {});
  });
  const requests = calls('Dispatch').map((c) => c.request);
  assert.equal(requests.length, 5);
  const [retried, [given, plain]] = [requests.slice(0, 3), requests.slice(3)];
  // Every attempt carries the same idempotency and ordering keys.
  assert.deepEqual(retried.map((r) => r.orderingKey), ['customer-42', 'customer-42', 'customer-42']);
  assert.equal(new Set(retried.map((r) => r.idempotencyKey)).size, 1);
  assert.match(String(retried[0].idempotencyKey), /^sdk-/);
  assert.deepEqual([given.idempotencyKey, given.orderingKey], ['mine', 'customer-7']);
  assert.equal(plain.orderingKey, ''); // none
});

test('an ordering key alone does not make a dispatch retryable', TIMEOUT, async () => {
  failures.Dispatch = [failure(grpc.status.UNAVAILABLE)];
  await withClient({ retry: FAST_RETRY, autoIdempotencyKey: false }, async (client) => {
    await assert.rejects(client.dispatch('order.created', {}, { orderingKey: 'customer-42' }), { codeName: 'UNAVAILABLE' });
  });
  assert.deepEqual(calls('Dispatch').map((c) => [c.request.orderingKey, c.request.idempotencyKey]), [['customer-42', '']]);
});

test('a dispatch without a key is not retried', TIMEOUT, async () => {
  failures.Dispatch = [failure(grpc.status.UNAVAILABLE)];
  await withClient({ retry: FAST_RETRY, autoIdempotencyKey: false }, async (client) => {
    await assert.rejects(client.dispatch('order.created', {}), { name: 'WebhookdError', code: grpc.status.UNAVAILABLE });
  });
  assert.equal(calls('Dispatch').length, 1);
});

test('idempotent calls give up after maxAttempts; retry null disables retries', TIMEOUT, async () => {
  failures.GetEvent = Array.from({ length: 5 }, () => failure(grpc.status.DEADLINE_EXCEEDED));
  await withClient({ retry: FAST_RETRY }, async (client) => {
    await assert.rejects(client.getEvent('evt_1'), { codeName: 'DEADLINE_EXCEEDED' });
  });
  assert.equal(calls('GetEvent').length, 3);
  received = [];
  await withClient({ retry: null }, async (client) => {
    await assert.rejects(client.getEvent('evt_1'), { codeName: 'DEADLINE_EXCEEDED' });
  });
  assert.equal(calls('GetEvent').length, 1);
});

test('non-idempotent calls and other codes are not retried', TIMEOUT, async () => {
  failures.Replay = [failure(grpc.status.UNAVAILABLE)];
  failures.RotateEndpointSecret = [failure(grpc.status.UNAVAILABLE)];
  failures.CreateApiKey = [failure(grpc.status.UNAVAILABLE)];
  failures.GetEvent = [failure(grpc.status.NOT_FOUND)];
  await withClient({ retry: FAST_RETRY }, async (client) => {
    await assert.rejects(client.replay('evt_1'), WebhookdError);
    await assert.rejects(client.rotateEndpointSecret('ep_1'), WebhookdError);
    await assert.rejects(client.createApiKey('ci', 'read'), WebhookdError);
    await assert.rejects(client.getEvent('evt_1'), { codeName: 'NOT_FOUND' });
  });
  for (const method of ['Replay', 'RotateEndpointSecret', 'CreateApiKey', 'GetEvent']) {
    assert.equal(calls(method).length, 1, method);
  }
});

test('errors carry the reason, its metadata and the field violations', TIMEOUT, async () => {
  failures.Dispatch = [failure(grpc.status.RESOURCE_EXHAUSTED, 'payload too large', statusDetails())];
  await withClient({}, async (client) => {
    const error = await client.dispatch('order.created', {}).then(
      () => assert.fail('dispatch succeeded'),
      (rejected: unknown) => rejected,
    );
    assert.ok(error instanceof WebhookdError);
    assert.equal(error.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.equal(error.codeName, 'RESOURCE_EXHAUSTED');
    assert.equal(error.message, 'payload too large');
    assert.equal(error.reason, 'PAYLOAD_TOO_LARGE');
    assert.equal(error.domain, 'webhookd');
    assert.deepEqual(error.metadata, { limit: '1024' });
    assert.deepEqual(error.fieldViolations, [{ field: 'payload_json', description: 'too large' }]);
    assert.equal(String(error), 'WebhookdError: RESOURCE_EXHAUSTED: payload too large (PAYLOAD_TOO_LARGE)');
    assert.equal((error.cause as grpc.ServiceError).code, grpc.status.RESOURCE_EXHAUSTED);
  });
});

test('schema violations and unknown event types are errors like any other', TIMEOUT, async () => {
  const message = 'the payload does not match the JSON Schema of `order.created`';
  const schemaViolation = (): grpc.StatusObject =>
    failure(
      grpc.status.INVALID_ARGUMENT,
      message,
      statusDetails('SCHEMA_VIOLATION', {}, [
        { field: 'payload/order_id', description: '7 is not of type "string"' },
        { field: 'payload/total', description: '-1 is less than the minimum of 0' },
      ]),
    );
  failures.Dispatch = [
    schemaViolation(),
    failure(
      grpc.status.INVALID_ARGUMENT,
      'unknown',
      statusDetails('UNKNOWN_EVENT_TYPE', {}, [{ field: 'event_type', description: 'not in the event catalog' }]),
    ),
  ];
  await withClient({ retry: FAST_RETRY }, async (client) => {
    const error = await client.dispatch('order.created', { order_id: 7, total: -1 }).then(
      () => assert.fail('dispatch succeeded'),
      (rejected: unknown) => rejected,
    );
    assert.ok(error instanceof WebhookdError);
    assert.deepEqual([error.code, error.codeName, error.reason, error.domain], [
      grpc.status.INVALID_ARGUMENT,
      'INVALID_ARGUMENT',
      'SCHEMA_VIOLATION',
      'webhookd',
    ]);
    assert.equal(error.message, message);
    assert.deepEqual(error.metadata, {});
    assert.deepEqual(error.fieldViolations, [
      { field: 'payload/order_id', description: '7 is not of type "string"' },
      { field: 'payload/total', description: '-1 is less than the minimum of 0' },
    ]);
    assert.equal(String(error), `WebhookdError: INVALID_ARGUMENT: ${message} (SCHEMA_VIOLATION)`);
    await assert.rejects(client.dispatch('user.created', {}), {
      name: 'WebhookdError',
      codeName: 'INVALID_ARGUMENT',
      reason: 'UNKNOWN_EVENT_TYPE',
      fieldViolations: [{ field: 'event_type', description: 'not in the event catalog' }],
    });
  });
  // INVALID_ARGUMENT is never retried, even with the generated idempotency key.
  assert.equal(calls('Dispatch').length, 2);
});

test('malformed details still give the status', TIMEOUT, async () => {
  failures.GetEvent = [failure(grpc.status.NOT_FOUND, 'gone', Buffer.from([0x1a, 0xff]))];
  await withClient({}, async (client) => {
    await assert.rejects(client.getEvent('evt_1'), { codeName: 'NOT_FOUND', message: 'gone', reason: '' });
  });
});

test('replies become native values', TIMEOUT, async () => {
  await withClient({}, async (client) => {
    const detail = await client.getEvent('evt_9');
    assert.equal(detail.event.id, 'evt_9');
    assert.deepEqual(detail.event.createdAt, new Date('2023-11-14T22:13:20.123Z'));
    const [delivery] = detail.deliveries;
    assert.equal(delivery.state, 'dead');
    assert.equal(delivery.nextAttemptAt, undefined);
    assert.equal(delivery.attempts[0].durationMs, 2n ** 40n);
    assert.equal(detail.event.orderingKey, undefined);
    assert.equal(delivery.orderingKey, undefined);
    assert.equal(delivery.waitingForOrderingKey, false);
    const metrics = await client.getMetrics({ windowSeconds: 60 });
    assert.equal(metrics.attempted, 2n ** 63n + 5n);
    assert.deepEqual(metrics.failuresByErrorKind, { timeout: 3n });
    const [status] = metrics.endpoints;
    assert.deepEqual([status.endpointId, status.concurrencyLimit, status.concurrencyWindow], ['ep_1', 10, 5]);
    assert.deepEqual([metrics.retryBudgetSlots, metrics.retriesInFlight], [4, 3]);
    assert.equal(metrics.retriesDeferred, 2n ** 63n + 7n);
    assert.deepEqual(await client.replay('evt_1'), { deliveryIds: ['dlv_2'], count: 1n });
  });
});

test('listEventTypes reads the catalog as native values', TIMEOUT, async () => {
  await withClient({}, async (client) => {
    const catalog = await client.listEventTypes();
    assert.deepEqual(catalog, {
      eventTypes: [
        {
          name: 'order.created',
          description: 'An order was placed',
          schema: {
            type: 'object',
            required: ['order_id', 'total'],
            properties: { order_id: { type: 'string' }, total: { type: 'number', minimum: 0 } },
          },
        },
        { name: 'order.noted', description: '', schema: undefined },
      ],
      unknownTypesAllowed: false,
    });
  });
  assert.deepEqual(calls('ListEventTypes').map((c) => c.request), [{}]);
});

test('listEventTypes is retried like the other read calls', TIMEOUT, async () => {
  failures.ListEventTypes = [failure(grpc.status.UNAVAILABLE), failure(grpc.status.DEADLINE_EXCEEDED)];
  await withClient({ retry: FAST_RETRY }, async (client) => {
    const catalog = await client.listEventTypes();
    assert.deepEqual(catalog.eventTypes.map((t) => t.name), ['order.created', 'order.noted']);
  });
  assert.equal(calls('ListEventTypes').length, 3);
  failures.ListEventTypes = [failure(grpc.status.PERMISSION_DENIED)];
  await withClient({ retry: FAST_RETRY }, async (client) => {
    await assert.rejects(client.listEventTypes(), { codeName: 'PERMISSION_DENIED' });
  });
  assert.equal(calls('ListEventTypes').length, 4); // other codes are not retried
});

test('ordering keys are read back', TIMEOUT, async () => {
  await withClient({}, async (client) => {
    const detail = await client.getEvent('evt_ordered');
    assert.equal(detail.event.orderingKey, 'customer-42');
    const [dead, waiting] = detail.deliveries;
    assert.deepEqual([dead.orderingKey, dead.waitingForOrderingKey], ['customer-42', false]);
    assert.deepEqual([waiting.state, waiting.orderingKey, waiting.waitingForOrderingKey], ['pending', 'customer-42', true]);
    assert.equal(waiting.nextAttemptAt, undefined);
  });
});

test('requests take native values', TIMEOUT, async () => {
  await withClient({}, async (client) => {
    await collect(
      client.streamDeliveries({
        endpointIds: ['end'],
        states: ['succeeded', 'dead'],
        sinceTime: new Date('2024-01-02T02:04:05.600Z'),
        sinceSequence: 2n ** 63n,
      }),
    );
    await client.updateEndpoint('ep_1', { eventTypes: ['a.*'] });
    await client.rotateEndpointSecret('ep_1', { gracePeriodMs: 2 * 3600 * 1000 });
    await client.createApiKey('ci', 'admin');
    assert.throws(() => client.streamDeliveries({ states: ['done' as 'dead'] }), /unknown delivery_state 'done'/);
    await assert.rejects(client.updateEndpoint('ep_1', {}), /url, eventTypes, headers, retryPolicy or filter/);
    await assert.rejects(client.rotateEndpointSecret('ep_1', { gracePeriodMs: 10 }), RangeError);
  });
  const stream = calls('StreamDeliveries')[0].request;
  assert.deepEqual(stream.states, ['DELIVERY_STATE_SUCCEEDED', 'DELIVERY_STATE_DEAD']);
  assert.deepEqual(stream.sinceTime, { seconds: '1704161045', nanos: 600_000_000 });
  assert.equal(stream.sinceSequence, '9223372036854775808');
  const update = calls('UpdateEndpoint')[0].request as { endpoint: { eventTypes: string[] }; updateMask: { paths: string[] } };
  assert.deepEqual(update.updateMask.paths, ['event_types']);
  assert.deepEqual(update.endpoint.eventTypes, ['a.*']);
  assert.equal(calls('RotateEndpointSecret')[0].request.gracePeriodSeconds, 7200);
  assert.equal(calls('CreateApiKey')[0].request.role, 'API_KEY_ROLE_ADMIN');
});

test('endpoint headers are sent and read back', TIMEOUT, async () => {
  await withClient({}, async (client) => {
    const created = await client.createEndpoint('https://example.com/hook', ['a.*'], {
      headers: { 'X-Tenant': 'acme', Authorization: 't' },
    });
    assert.deepEqual(created.headers, { 'x-tenant': 'acme', authorization: 't' });
    assert.deepEqual((await client.createEndpoint('https://example.com/hook', ['a.*'])).headers, {});
    const updated = await client.updateEndpoint('ep_1', { url: 'https://example.com/2', headers: { 'X-A': '1' } });
    assert.deepEqual(updated.headers, { 'X-A': '1' });
    assert.deepEqual((await client.updateEndpoint('ep_1', { headers: {} })).headers, {});
    assert.deepEqual((await client.updateEndpoint('ep_1', { eventTypes: ['b'] })).headers, {});
    await assert.rejects(
      client.createEndpoint('https://example.com/hook', ['a.*'], { headers: [['X-A', '1']] as unknown as Record<string, string> }),
      TypeError,
    );
    await assert.rejects(client.updateEndpoint('ep_1', { headers: { 'X-A': 1 as unknown as string } }), /string value for 'X-A'/);
  });
  const [create, createPlain] = calls('CreateEndpoint');
  assert.equal(calls('CreateEndpoint').length, 2);
  assert.deepEqual(create.request.headers, { 'X-Tenant': 'acme', Authorization: 't' });
  assert.deepEqual(createPlain.request.headers, {});
  type UpdateRequest = { endpoint: { headers: Record<string, string> }; updateMask: { paths: string[] } };
  const [update, clear, eventTypesOnly] = calls('UpdateEndpoint').map((c) => c.request as UpdateRequest);
  assert.equal(calls('UpdateEndpoint').length, 3);
  assert.deepEqual(update.updateMask.paths, ['url', 'headers']);
  assert.deepEqual(update.endpoint.headers, { 'X-A': '1' });
  assert.deepEqual(clear.updateMask.paths, ['headers']); // an empty set is sent, removing them
  assert.deepEqual(clear.endpoint.headers, {});
  assert.deepEqual(eventTypesOnly.updateMask.paths, ['event_types']);
});

test('endpoint retry schedules are sent, read back and cleared', TIMEOUT, async () => {
  const schedule = { maxAttempts: 3, delaysMs: [200, 1000] };
  await withClient({}, async (client) => {
    const created = await client.createEndpoint('https://example.com/hook', ['a.*'], { retryPolicy: schedule });
    assert.deepEqual(created.retryPolicy, schedule);
    assert.equal((await client.createEndpoint('https://example.com/hook', ['a.*'])).retryPolicy, undefined);
    // Unset fields are sent as their defaults and read back filled in; delays to the microsecond.
    const fine = await client.createEndpoint('https://example.com/hook', ['a.*'], { retryPolicy: { delaysMs: [1.5, 0.1] } });
    assert.deepEqual(fine.retryPolicy, { maxAttempts: 0, delaysMs: [1.5, 0.1] });
    const updated = await client.updateEndpoint('ep_1', { url: 'https://example.com/2', retryPolicy: { maxAttempts: 5 } });
    assert.deepEqual(updated.retryPolicy, { maxAttempts: 5, delaysMs: [] });
    const defaults = await client.updateEndpoint('ep_1', { retryPolicy: {} });
    assert.deepEqual(defaults.retryPolicy, { maxAttempts: 0, delaysMs: [] });
    assert.equal((await client.updateEndpoint('ep_1', { retryPolicy: null })).retryPolicy, undefined);
    assert.equal((await client.updateEndpoint('ep_1', { eventTypes: ['b'] })).retryPolicy, undefined);
    await assert.rejects(
      client.createEndpoint('https://example.com/hook', ['a.*'], { retryPolicy: { maxAttempts: -1 } }),
      /maxAttempts must be a non-negative integer, got -1/,
    );
    await assert.rejects(client.updateEndpoint('ep_1', { retryPolicy: { maxAttempts: 2.5 } }), RangeError);
    await assert.rejects(
      client.updateEndpoint('ep_1', { retryPolicy: { delaysMs: ['200' as unknown as number] } }),
      /delaysMs\[0\] to be a finite number/,
    );
    await assert.rejects(
      client.updateEndpoint('ep_1', { retryPolicy: { delaysMs: 200 as unknown as number[] } }),
      /delaysMs to be an array/,
    );
    await assert.rejects(
      client.createEndpoint('https://example.com/hook', ['a.*'], { retryPolicy: 3 as unknown as { maxAttempts: number } }),
      TypeError,
    );
    // The ranges are the server's to check.
    await client.createEndpoint('https://example.com/hook', ['a.*'], { retryPolicy: { maxAttempts: 101 } });
  });
  type Policy = { maxAttempts: number; delaysSeconds: number[] } | null;
  const creates = calls('CreateEndpoint').map((c) => c.request.retryPolicy as Policy);
  assert.deepEqual(creates, [
    { maxAttempts: 3, delaysSeconds: [0.2, 1] },
    null,
    { maxAttempts: 0, delaysSeconds: [0.0015, 0.0001] },
    { maxAttempts: 101, delaysSeconds: [] },
  ]); // the refused ones were never sent
  type UpdateRequest = { endpoint: { retryPolicy: Policy }; updateMask: { paths: string[] } };
  const [update, defaults, clear, eventTypesOnly] = calls('UpdateEndpoint').map((c) => c.request as UpdateRequest);
  assert.equal(calls('UpdateEndpoint').length, 4);
  assert.deepEqual(update.updateMask.paths, ['url', 'retry_policy']);
  assert.deepEqual(update.endpoint.retryPolicy, { maxAttempts: 5, delaysSeconds: [] });
  // A schedule of defaults is still sent (present), unlike null, which clears it.
  assert.deepEqual(defaults.updateMask.paths, ['retry_policy']);
  assert.deepEqual(defaults.endpoint.retryPolicy, { maxAttempts: 0, delaysSeconds: [] });
  assert.deepEqual(clear.updateMask.paths, ['retry_policy']);
  assert.equal(clear.endpoint.retryPolicy, null);
  assert.deepEqual(eventTypesOnly.updateMask.paths, ['event_types']);
  assert.equal(eventTypesOnly.endpoint.retryPolicy, null);
});

test('endpoint filters are sent as a Struct, read back and removed', TIMEOUT, async () => {
  const orderFilter = { 'order.total': { $gte: 100 }, 'order.currency': { $in: ['EUR', 'USD'] } };
  await withClient({}, async (client) => {
    const created = await client.createEndpoint('https://example.com/hook', ['a.*'], { filter: orderFilter });
    assert.deepEqual(created.filter, orderFilter);
    assert.equal((await client.createEndpoint('https://example.com/hook', ['a.*'])).filter, undefined);
    // Taken as its JSON.stringify form: undefined members are left out, Dates become strings.
    const json = await client.createEndpoint('https://example.com/hook', ['a.*'], {
      filter: { at: { $gte: new Date('2024-01-02T00:00:00Z') }, gone: undefined, flag: true, note: null },
    });
    assert.deepEqual(json.filter, { at: { $gte: '2024-01-02T00:00:00.000Z' }, flag: true, note: null });
    const updated = await client.updateEndpoint('ep_1', { url: 'https://example.com/2', filter: { kind: 'refund' } });
    assert.deepEqual(updated.filter, { kind: 'refund' });
    assert.deepEqual((await client.updateEndpoint('ep_1', { filter: {} })).filter, {});
    assert.equal((await client.updateEndpoint('ep_1', { filter: null })).filter, undefined);
    assert.equal((await client.updateEndpoint('ep_1', { eventTypes: ['b'] })).filter, undefined);
    await assert.rejects(
      client.createEndpoint('https://example.com/hook', ['a.*'], { filter: [['amount', 1]] as unknown as Record<string, unknown> }),
      /expected a JSON object \(not an array or a Map\)/,
    );
    await assert.rejects(
      client.updateEndpoint('ep_1', { filter: new Map([['amount', 1]]) as unknown as Record<string, unknown> }),
      TypeError,
    );
    await assert.rejects(client.updateEndpoint('ep_1', { filter: 'amount' as unknown as Record<string, unknown> }), TypeError);
    await assert.rejects(client.updateEndpoint('ep_1', { filter: { amount: { $gt: 1n } } }), /BigInt/);
  });
  type Fields = Record<string, unknown>;
  const creates = calls('CreateEndpoint').map((c) => c.request.filter as { fields: Fields } | null);
  assert.equal(creates.length, 3); // the refused ones were never sent
  // A google.protobuf.Struct: every value a google.protobuf.Value, numbers as doubles.
  assert.deepEqual(creates[0], {
    fields: {
      'order.total': { kind: 'structValue', structValue: { fields: { $gte: { kind: 'numberValue', numberValue: 100 } } } },
      'order.currency': {
        kind: 'structValue',
        structValue: {
          fields: {
            $in: {
              kind: 'listValue',
              listValue: {
                values: [
                  { kind: 'stringValue', stringValue: 'EUR' },
                  { kind: 'stringValue', stringValue: 'USD' },
                ],
              },
            },
          },
        },
      },
    },
  });
  assert.equal(creates[1], null);
  assert.deepEqual(Object.keys(creates[2]?.fields ?? {}).sort(), ['at', 'flag', 'note']);
  assert.deepEqual(creates[2]?.fields.note, { kind: 'nullValue', nullValue: 'NULL_VALUE' });
  assert.deepEqual(creates[2]?.fields.flag, { kind: 'boolValue', boolValue: true });
  type UpdateRequest = { endpoint: { filter: { fields: Fields } | null }; updateMask: { paths: string[] } };
  const [update, empty, remove, eventTypesOnly] = calls('UpdateEndpoint').map((c) => c.request as UpdateRequest);
  assert.equal(calls('UpdateEndpoint').length, 4);
  assert.deepEqual(update.updateMask.paths, ['url', 'filter']);
  assert.deepEqual(update.endpoint.filter, { fields: { kind: { kind: 'stringValue', stringValue: 'refund' } } });
  // An empty filter is still sent (present), unlike null, which removes it.
  assert.deepEqual(empty.updateMask.paths, ['filter']);
  assert.deepEqual(empty.endpoint.filter, { fields: {} });
  assert.deepEqual(remove.updateMask.paths, ['filter']);
  assert.equal(remove.endpoint.filter, null);
  assert.deepEqual(eventTypesOnly.updateMask.paths, ['event_types']);
  assert.equal(eventTypesOnly.endpoint.filter, null);
});

/** Collects every update of a stream. */
async function collect(stream: AsyncIterable<DeliveryUpdate>): Promise<DeliveryUpdate[]> {
  const updates: DeliveryUpdate[] = [];
  for await (const update of stream) {
    updates.push(update);
  }
  return updates;
}

test('streamDeliveries yields native updates until the server ends the stream', TIMEOUT, async () => {
  await withClient({ apiKey: 'k3y' }, async (client) => {
    const updates = await collect(client.streamDeliveries({ endpointIds: ['end'] }));
    assert.deepEqual(
      updates.map((u) => [u.kind, u.state, u.sequence, u.missed]),
      [
        ['created', 'pending', 1n, 0n],
        ['lagged', 'unspecified', 2n, 2n ** 60n],
      ],
    );
  });
  assert.deepEqual(calls('StreamDeliveries')[0].metadata.get('authorization'), ['Bearer k3y']);
});

test('a failed stream throws a WebhookdError', TIMEOUT, async () => {
  failures.StreamDeliveries = [failure(grpc.status.NOT_FOUND, 'no such endpoint')];
  await withClient({}, async (client) => {
    await assert.rejects(collect(client.streamDeliveries()), { name: 'WebhookdError', codeName: 'NOT_FOUND' });
  });
});

test('close ends a waiting iteration without an error', TIMEOUT, async () => {
  await withClient({}, async (client) => {
    const stream = client.streamDeliveries({ endpointIds: ['open'] });
    const updates: DeliveryUpdate[] = [];
    for await (const update of stream) {
      updates.push(update);
      if (updates.length === 2) {
        setTimeout(() => stream.close(), 10);
      }
    }
    assert.equal(updates.length, 2);
    await streamCancelled;
  });
});

test('leaving the loop early cancels the call', TIMEOUT, async () => {
  await withClient({}, async (client) => {
    for await (const update of client.streamDeliveries({ endpointIds: ['open'] })) {
      assert.equal(update.eventId, 'evt_1');
      break;
    }
    await streamCancelled;
  });
});

test('TLS is on except for loopback addresses', () => {
  const cases: [string, boolean][] = [
    ['127.0.0.1:50051', true],
    ['127.10.0.3:1', true],
    ['localhost:50051', true],
    ['LOCALHOST:1', true],
    ['[::1]:50051', true],
    ['[0:0:0:0:0:0:0:1]:50051', true],
    ['unix:/run/webhookd.sock', true],
    ['dns:///localhost:50051', true],
    ['webhookd.example.com:443', false],
    ['10.0.0.5:50051', false],
    ['[2001:db8::1]:50051', false],
    ['localhost.example.com:1', false],
    ['127.example.com:1', false],
  ];
  for (const [candidate, loopback] of cases) {
    assert.equal(isLoopback(candidate), loopback, candidate);
  }
  assert.throws(() => new WebhookdClient({ address: '127.0.0.1:1', rootCertificates: Buffer.from('pem') }), /TLS is off/);
  assert.throws(
    () => new WebhookdClient({ address: 'webhookd.example.com:443', clientCertificate: Buffer.from('pem') }),
    /both/,
  );
});

test('backoff is exponential with full jitter', () => {
  const policy = retryPolicy(undefined);
  assert.deepEqual(policy, DEFAULT_RETRY_POLICY);
  const highest = (): number => 1 - Number.EPSILON;
  const ceilings = [1, 2, 3, 4].map((attempt) => retryDelay(policy, attempt, grpc.status.UNAVAILABLE, true, highest));
  assert.deepEqual(ceilings.map((c) => (c === undefined ? c : Math.round(c))), [100, 200, 400, undefined]);
  const long = retryPolicy({ maxAttempts: 10 });
  assert.equal(Math.round(retryDelay(long, 7, grpc.status.UNAVAILABLE, true, highest) ?? 0), 2000);
  const delays = Array.from({ length: 200 }, () => retryDelay(long, 3, grpc.status.DEADLINE_EXCEEDED, true));
  assert.ok(delays.every((d) => d !== undefined && d >= 0 && d < 400));
  assert.ok(new Set(delays).size > 100);
  assert.equal(retryDelay(policy, 1, grpc.status.UNAVAILABLE, false), undefined);
  assert.equal(retryDelay(policy, 1, grpc.status.INTERNAL, true), undefined);
  assert.throws(() => retryPolicy({ maxAttempts: 0 }), RangeError);
});
