/**
 * The client: one promise-returning method per RPC of
 * `webhook.v1.WebhookService`, with native values in and out, one error
 * type, retries and default deadlines.
 */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import * as convert from './convert';
import { callDefaults, channelCredentials } from './channel';
import { isServiceError, WebhookdError } from './errors';
import { retryDelay, retryPolicy, type RetryPolicy } from './retry';
import { descriptor } from './generated/descriptor';
import type { ProtoGrpcType } from './generated/webhook';
import type { DeliveryUpdate__Output } from './generated/webhook/v1/DeliveryUpdate';
import type { StreamDeliveriesRequest } from './generated/webhook/v1/StreamDeliveriesRequest';
import type { WebhookServiceClient } from './generated/webhook/v1/WebhookService';
import type {
  ApiKey,
  ApiKeyRole,
  CreatedApiKey,
  Delivery,
  DeliveryFilter,
  DeliveryState,
  DeliveryUpdate,
  DispatchResult,
  Endpoint,
  Event,
  EventCatalog,
  EventDetail,
  Metrics,
  Page,
  ReplayResult,
  RetrySchedule,
  RotatedSecret,
  SignatureScheme,
} from './models';
import { VERSION } from './version';

/** The default deadline of each unary call (of each attempt, when retried), in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Options of {@link WebhookdClient}. */
export interface WebhookdClientOptions {
  /** `host:port` of webhookd's gRPC listener. */
  address: string;
  /** Sent as `authorization: Bearer <apiKey>` on every call, those of {@link WebhookdClient.raw} included. */
  apiKey?: string;
  /**
   * TLS unless the host is a loopback address (127.0.0.0/8, ::1, localhost)
   * when unset; `true`/`false` force it.
   */
  tls?: boolean;
  /** PEM of the CA that signed webhookd's certificate (private CAs); default: the system roots. */
  rootCertificates?: Buffer;
  /** PEM of a client certificate, for mTLS (with {@link clientKey}). */
  clientCertificate?: Buffer;
  /** PEM of the client certificate's private key. */
  clientKey?: Buffer;
  /** Deadline of each unary call in milliseconds (default 10000); `null` for none. Applies to `raw` too. */
  timeoutMs?: number | null;
  /** Deadline of streams in milliseconds (default: none). */
  streamTimeoutMs?: number;
  /** The retry policy (see {@link RetryPolicy}); `null` disables retries. */
  retry?: RetryPolicy | null;
  /**
   * {@link WebhookdClient.dispatch} generates an idempotency key
   * (`sdk-<uuid>`) when none is given, so that it can be retried safely.
   * Default true.
   */
  autoIdempotencyKey?: boolean;
  /** Extra `@grpc/grpc-js` channel options. */
  channelOptions?: grpc.ChannelOptions;
}

/** Options of {@link WebhookdClient.dispatch}. */
export interface DispatchOptions {
  /**
   * Makes the dispatch idempotent: a repeat returns the original event with
   * `duplicate: true`. At most 255 bytes in UTF-8.
   */
  idempotencyKey?: string;
  /** Deliver only to these endpoints, subscribed or not. */
  endpointIds?: string[];
  /**
   * Deliveries of the dispatches that share this key go to each endpoint one
   * at a time, in dispatch order: each waits until the one before it has
   * succeeded or been given up (dead-lettered or failed). At most 255
   * bytes in UTF-8 (255 ASCII characters); a longer one is refused with
   * `INVALID_ARGUMENT`.
   */
  orderingKey?: string;
}

/** Which updates {@link WebhookdClient.streamDeliveries} returns, and from when. */
export interface StreamDeliveriesOptions {
  endpointIds?: string[];
  /** Patterns such as `order.*`. */
  eventTypes?: string[];
  /** Only updates that move a delivery into one of these states. */
  states?: DeliveryState[];
  /** Replay stored history first: every update after this sequence number... */
  sinceSequence?: bigint;
  /** ...or every update at or after this time. */
  sinceTime?: Date;
  /** Deadline of this stream in milliseconds; overrides the client's `streamTimeoutMs`. */
  timeoutMs?: number;
}

/** Page options of the list calls. */
export interface PageOptions {
  /** At most this many items (0: the server's default, 100; at most 1000). */
  pageSize?: number;
  /** A previous page's `nextPageToken`. */
  pageToken?: string;
}

/**
 * How the descriptor is loaded. Must match the flags of generate.sh, which
 * the generated types describe (field names are camelCase in the descriptor).
 * @internal Exported for the tests.
 */
export const LOADER_OPTIONS: protoLoader.Options = {
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

let webhookProto: ProtoGrpcType | undefined;

/**
 * The generated gRPC definitions, built once per process from the
 * descriptor compiled into this package (no file is read).
 * @internal Exported for the tests.
 */
export function webhookGrpc(): ProtoGrpcType {
  // The descriptor is plain JSON; protobufjs' declared JSON types are stricter than its format.
  const json = descriptor as Parameters<typeof protoLoader.fromJSON>[0];
  webhookProto ??= grpc.loadPackageDefinition(protoLoader.fromJSON(json, LOADER_OPTIONS)) as unknown as ProtoGrpcType;
  return webhookProto;
}

/**
 * A client of webhookd's gRPC API. Every method returns a promise; failed
 * calls reject with {@link WebhookdError}. Idempotent calls, and dispatches
 * with an idempotency key, are retried after `UNAVAILABLE` and
 * `DEADLINE_EXCEEDED` (see {@link RetryPolicy}). {@link raw} is the
 * generated client, with the same API key and default deadlines.
 */
export class WebhookdClient {
  /** The generated client, for every RPC of `webhook.v1.WebhookService`. */
  readonly raw: WebhookServiceClient;
  readonly #retry: Required<RetryPolicy>;
  readonly #autoIdempotencyKey: boolean;

  constructor(options: WebhookdClientOptions) {
    const timeoutMs = options.timeoutMs === null ? undefined : (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.raw = new (webhookGrpc().webhook.v1.WebhookService)(
      options.address,
      channelCredentials(options.address, options),
      {
        'grpc.primary_user_agent': `webhookd-node/${VERSION}`,
        ...options.channelOptions,
        interceptors: [callDefaults(options.apiKey, timeoutMs, options.streamTimeoutMs)],
      },
    );
    this.#retry = retryPolicy(options.retry);
    this.#autoIdempotencyKey = options.autoIdempotencyKey ?? true;
  }

  /**
   * Sends `request` with `method` (a method of {@link raw}, called on it),
   * again after a retryable failure, and converts the reply.
   */
  async #unary<Request, Reply, Result>(
    retryable: boolean,
    method: (request: Request, callback: grpc.requestCallback<Reply>) => grpc.ClientUnaryCall,
    request: Request,
    toResult: (reply: Reply) => Result,
  ): Promise<Result> {
    for (let attempt = 1; ; attempt++) {
      try {
        const reply = await new Promise<Reply>((resolve, reject) =>
          method.call(this.raw, request, (error, value) => (error ? reject(error) : resolve(value as Reply))),
        );
        return toResult(reply);
      } catch (error) {
        if (!isServiceError(error)) {
          throw error;
        }
        const failure = WebhookdError.fromServiceError(error);
        const delayMs = retryDelay(this.#retry, attempt, failure.code, retryable);
        if (delayMs === undefined) {
          throw failure;
        }
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  /**
   * Stores an event and schedules its delivery to every subscribed endpoint
   * (or to `endpointIds` only). `payload` is a JSON object, sent as its
   * `JSON.stringify` text. Retried only with an idempotency key, which is
   * generated unless `autoIdempotencyKey` is off; a retry sends the same
   * request again, its idempotency and ordering keys unchanged. When the
   * event-type catalog ({@link listEventTypes}) gives `eventType` a JSON
   * Schema, a payload that does not match it is rejected with
   * `INVALID_ARGUMENT`, reason `SCHEMA_VIOLATION`, and a field violation per
   * mismatch (`payload/<JSON pointer>`); a type not in a catalog that
   * refuses unknown types is rejected with reason `UNKNOWN_EVENT_TYPE`.
   */
  async dispatch(eventType: string, payload: object, options: DispatchOptions = {}): Promise<DispatchResult> {
    const idempotencyKey =
      options.idempotencyKey ?? (this.#autoIdempotencyKey ? `sdk-${randomUUID()}` : '');
    const request = {
      eventType,
      payloadJson: JSON.stringify(payload),
      idempotencyKey,
      endpointIds: convert.strings(options.endpointIds),
      orderingKey: options.orderingKey ?? '',
    };
    return this.#unary(idempotencyKey !== '',
      this.raw.dispatch, request,
      (reply) => ({ eventId: reply.eventId, deliveryIds: [...reply.deliveryIds], duplicate: reply.duplicate }),
    );
  }

  /**
   * Sends a stored event again, as new deliveries with the same event id:
   * to `endpointIds`, or to the endpoints of its original deliveries.
   * `dryRun` counts without creating anything. Not retried.
   */
  async replay(eventId: string, options: { endpointIds?: string[]; dryRun?: boolean } = {}): Promise<ReplayResult> {
    const request = { eventId, endpointIds: convert.strings(options.endpointIds), dryRun: options.dryRun ?? false };
    return this.#unary(false, this.raw.replay, request, replayResult);
  }

  /**
   * Sends again every delivery that matches `filter`, each to its endpoint;
   * `maxPerSecond` spreads them (0: no cap). Not retried.
   */
  async replayMatching(
    filter: DeliveryFilter,
    options: { maxPerSecond?: number; dryRun?: boolean } = {},
  ): Promise<ReplayResult> {
    const request = {
      filter: convert.deliveryFilter(filter),
      maxPerSecond: options.maxPerSecond ?? 0,
      dryRun: options.dryRun ?? false,
    };
    return this.#unary(false, this.raw.replay, request, replayResult);
  }

  /**
   * Streams delivery and endpoint state changes as they happen. Iterate the
   * result with `for await`; leaving the loop, or calling
   * {@link DeliveryStream.close}, ends the call. With `sinceSequence` or
   * `sinceTime` stored history comes first; resume a broken stream with the
   * last `sequence` seen. Not retried.
   */
  streamDeliveries(options: StreamDeliveriesOptions = {}): DeliveryStream {
    const request: StreamDeliveriesRequest = {
      endpointIds: convert.strings(options.endpointIds),
      eventTypes: convert.strings(options.eventTypes),
      states: (options.states ?? []).map(convert.deliveryStateValue) as StreamDeliveriesRequest['states'],
      sinceSequence: (options.sinceSequence ?? 0n).toString(),
      sinceTime: options.sinceTime ? convert.timestamp(options.sinceTime) : null,
    };
    const callOptions: grpc.CallOptions =
      options.timeoutMs === undefined ? {} : { deadline: Date.now() + options.timeoutMs };
    return new DeliveryStream(this.raw.streamDeliveries(request, callOptions));
  }

  /** Delivery statistics over the last `windowSeconds` (0: 300; at most 86400). */
  async getMetrics(options: { windowSeconds?: number; endpointId?: string } = {}): Promise<Metrics> {
    const request = { windowSeconds: options.windowSeconds ?? 0, endpointId: options.endpointId ?? '' };
    return this.#unary(true, this.raw.getMetrics, request, convert.metrics);
  }

  /** An event exactly as it was signed, with every delivery and every attempt. */
  async getEvent(eventId: string): Promise<EventDetail> {
    return this.#unary(true,
      this.raw.getEvent, { eventId },
      (reply) => ({ event: convert.event(reply.event), deliveries: reply.deliveries.map(convert.delivery) }),
    );
  }

  /** One page of the event log, oldest first. */
  async listEvents(
    options: PageOptions & { startTime?: Date; endTime?: Date; eventTypes?: string[]; endpointId?: string } = {},
  ): Promise<Page<Event>> {
    const request = {
      startTime: options.startTime ? convert.timestamp(options.startTime) : null,
      endTime: options.endTime ? convert.timestamp(options.endTime) : null,
      eventTypes: convert.strings(options.eventTypes),
      endpointId: options.endpointId ?? '',
      pageSize: options.pageSize ?? 0,
      pageToken: options.pageToken ?? '',
    };
    return this.#unary(true,
      this.raw.listEvents, request,
      (reply) => ({ items: reply.events.map(convert.event), nextPageToken: reply.nextPageToken }),
    );
  }

  /** One page of deliveries, oldest first. */
  async listDeliveries(options: PageOptions & { filter?: DeliveryFilter } = {}): Promise<Page<Delivery>> {
    const request = { filter: convert.deliveryFilter(options.filter), ...pageRequest(options) };
    return this.#unary(true, this.raw.listDeliveries, request, deliveryPage);
  }

  /** One page of dead-lettered deliveries, oldest first (the filter's states are ignored). */
  async listDeadLetters(options: PageOptions & { filter?: DeliveryFilter } = {}): Promise<Page<Delivery>> {
    const request = { filter: convert.deliveryFilter(options.filter), ...pageRequest(options) };
    return this.#unary(true, this.raw.listDeadLetters, request, deliveryPage);
  }

  /**
   * Gives dead letters a fresh retry cycle: these `deliveryIds`, or every
   * one matching `filter`. Resolves to how many were (or, with `dryRun`,
   * would be) moved back to pending. Not retried.
   */
  async redriveDeadLetters(
    options: { deliveryIds?: string[]; filter?: DeliveryFilter; dryRun?: boolean } = {},
  ): Promise<bigint> {
    const request = {
      deliveryIds: convert.strings(options.deliveryIds),
      filter: convert.deliveryFilter(options.filter),
      dryRun: options.dryRun ?? false,
    };
    return this.#unary(false,
      this.raw.redriveDeadLetters, request,
      (reply) => convert.uint64(reply.count),
    );
  }

  /**
   * Creates an endpoint that receives the events matching `eventTypes`.
   * Without `id` the server makes one (`ep_...`); without `secret`
   * deliveries are signed with the server's default secret (a Standard
   * Webhooks endpoint needs a `whsec_`/`whsk_` secret). `headers` (name to
   * value, at most 20) are added to every delivery; the headers webhookd
   * sets itself (Content-Type, Host, User-Agent, X-Webhook-*, webhook-*,
   * hop-by-hop ones) are refused. `retryPolicy` gives the endpoint a retry
   * schedule of its own (without it, the server config's applies).
   * `filter`, a JSON object of dotted paths to conditions
   * (`{ 'order.total': { $gte: 100 } }`), routes to it only the events whose
   * payload matches (without it, every event of its types). Not retried.
   */
  async createEndpoint(
    url: string,
    eventTypes: string[],
    options: {
      id?: string;
      secret?: string;
      disabled?: boolean;
      signatureScheme?: SignatureScheme;
      headers?: Record<string, string>;
      retryPolicy?: RetrySchedule;
      filter?: Record<string, unknown>;
    } = {},
  ): Promise<Endpoint> {
    const request = {
      id: options.id ?? '',
      url,
      eventTypes: convert.strings(eventTypes),
      secret: options.secret ?? '',
      disabled: options.disabled ?? false,
      signatureScheme: (options.signatureScheme
        ? convert.signatureSchemeValue(options.signatureScheme)
        : 'SIGNATURE_SCHEME_UNSPECIFIED') as 'SIGNATURE_SCHEME_UNSPECIFIED',
      headers: convert.stringMap(options.headers),
      retryPolicy: options.retryPolicy === undefined ? null : convert.retrySchedule(options.retryPolicy),
      filter: options.filter === undefined ? null : convert.jsonStruct(options.filter),
    };
    return this.#unary(false, this.raw.createEndpoint, request, convert.endpoint);
  }

  /** One endpoint. */
  async getEndpoint(id: string): Promise<Endpoint> {
    return this.#unary(true, this.raw.getEndpoint, { id }, convert.endpoint);
  }

  /** One page of endpoints. */
  async listEndpoints(options: PageOptions = {}): Promise<Page<Endpoint>> {
    return this.#unary(true,
      this.raw.listEndpoints, pageRequest(options),
      (reply) => ({ items: reply.endpoints.map(convert.endpoint), nextPageToken: reply.nextPageToken }),
    );
  }

  /**
   * Changes the given fields of an endpoint (the others stay as they are).
   * `headers` replaces every custom header of the endpoint; `{}` removes them.
   * `retryPolicy` replaces the endpoint's retry schedule; `null` removes it,
   * so that the server config's applies again (`undefined` leaves it as it
   * is). A new schedule applies to the next attempt of every pending delivery.
   * `filter` replaces the endpoint's payload filter; `null` removes it
   * (`undefined` leaves it as it is). A new filter applies to the events
   * dispatched after.
   */
  async updateEndpoint(
    id: string,
    changes: {
      url?: string;
      eventTypes?: string[];
      headers?: Record<string, string>;
      retryPolicy?: RetrySchedule | null;
      filter?: Record<string, unknown> | null;
    },
  ): Promise<Endpoint> {
    const paths: string[] = [];
    if (changes.url !== undefined) paths.push('url');
    if (changes.eventTypes !== undefined) paths.push('event_types');
    if (changes.headers !== undefined) paths.push('headers');
    if (changes.retryPolicy !== undefined) paths.push('retry_policy');
    if (changes.filter !== undefined) paths.push('filter');
    if (paths.length === 0) {
      throw new TypeError('updateEndpoint needs url, eventTypes, headers, retryPolicy or filter');
    }
    const request = {
      endpoint: {
        id,
        url: changes.url ?? '',
        eventTypes: convert.strings(changes.eventTypes),
        headers: convert.stringMap(changes.headers),
        // Unset (null) with "retry_policy" in the mask: back to the config's policy.
        retryPolicy:
          changes.retryPolicy === null || changes.retryPolicy === undefined
            ? null
            : convert.retrySchedule(changes.retryPolicy),
        // Unset (null) with "filter" in the mask: no filter any more.
        filter: changes.filter === null || changes.filter === undefined ? null : convert.jsonStruct(changes.filter),
      },
      updateMask: { paths },
    };
    // Setting fields to given values is idempotent: sending it twice changes nothing more.
    return this.#unary(true, this.raw.updateEndpoint, request, convert.endpoint);
  }

  /** Deletes an endpoint; resolves to how many of its pending deliveries were cancelled. Not retried. */
  async deleteEndpoint(id: string): Promise<bigint> {
    return this.#unary(false,
      this.raw.deleteEndpoint, { id },
      (reply) => convert.uint64(reply.cancelledDeliveries),
    );
  }

  /** Re-enables an endpoint, resets its failure count and resumes its paused deliveries. */
  async enableEndpoint(id: string): Promise<Endpoint> {
    return this.#unary(true, this.raw.enableEndpoint, { id }, convert.endpoint);
  }

  /** Pauses an endpoint: events are stored but not sent until it is enabled again. */
  async disableEndpoint(id: string, options: { reason?: string } = {}): Promise<Endpoint> {
    const request = { id, reason: options.reason ?? '' };
    return this.#unary(true, this.raw.disableEndpoint, request, convert.endpoint);
  }

  /**
   * Makes a new signing secret; the previous one stays valid for
   * `gracePeriodMs` (whole seconds; default 24 hours). Not retried.
   */
  async rotateEndpointSecret(id: string, options: { gracePeriodMs?: number } = {}): Promise<RotatedSecret> {
    let gracePeriodSeconds = 0; // the server's default, 24 hours
    if (options.gracePeriodMs !== undefined) {
      gracePeriodSeconds = Math.round(options.gracePeriodMs / 1000);
      if (!(gracePeriodSeconds >= 1)) {
        throw new RangeError(`gracePeriodMs must be at least 1000, got ${options.gracePeriodMs}`);
      }
    }
    return this.#unary(false,
      this.raw.rotateEndpointSecret, { id, gracePeriodSeconds },
      (reply) => ({ endpoint: convert.endpoint(reply.endpoint), newSecret: reply.newSecret }),
    );
  }

  /** Creates an API key; the first one created must be `admin`. Not retried. */
  async createApiKey(name: string, role: ApiKeyRole): Promise<CreatedApiKey> {
    const request = { name, role: convert.apiKeyRoleValue(role) as 'API_KEY_ROLE_UNSPECIFIED' };
    return this.#unary(false,
      this.raw.createApiKey, request,
      (reply) => ({ apiKey: convert.apiKey(reply.apiKey), key: reply.key }),
    );
  }

  /** The API keys, without the keys themselves. */
  async listApiKeys(options: { includeRevoked?: boolean } = {}): Promise<ApiKey[]> {
    const request = { includeRevoked: options.includeRevoked ?? false };
    return this.#unary(true,
      this.raw.listApiKeys, request,
      (reply) => reply.apiKeys.map(convert.apiKey),
    );
  }

  /** Revokes an API key (not the last admin key). Not retried. */
  async revokeApiKey(name: string): Promise<ApiKey> {
    return this.#unary(false, this.raw.revokeApiKey, { name }, convert.apiKey);
  }

  /**
   * The event-type catalog (the server config's `event_catalog`): the event
   * types producers may send, sorted by name, each with its description and
   * the JSON Schema that {@link dispatch} checks its payloads against, and
   * whether types not in it are accepted. Open to every API key role.
   */
  async listEventTypes(): Promise<EventCatalog> {
    return this.#unary(true, this.raw.listEventTypes, {}, convert.eventCatalog);
  }

  /** Closes the channel. Calls in progress fail. */
  close(): void {
    this.raw.close();
  }
}

function pageRequest(options: PageOptions): { pageSize: number; pageToken: string } {
  return { pageSize: options.pageSize ?? 0, pageToken: options.pageToken ?? '' };
}

function replayResult(reply: { deliveryIds: string[]; count: string }): ReplayResult {
  return { deliveryIds: [...reply.deliveryIds], count: convert.uint64(reply.count) };
}

function deliveryPage(reply: { deliveries: Parameters<typeof convert.delivery>[0][]; nextPageToken: string }): Page<Delivery> {
  return { items: reply.deliveries.map(convert.delivery), nextPageToken: reply.nextPageToken };
}

/** How many updates are buffered before the stream stops reading from the network. */
const HIGH_WATER_MARK = 256;

/**
 * The updates of one StreamDeliveries call, as an async iterable. Iterate it
 * once. {@link close} ends the iteration without an error; a failure of the
 * call is thrown by the iteration as a {@link WebhookdError}.
 */
export class DeliveryStream implements AsyncIterable<DeliveryUpdate> {
  readonly #call: grpc.ClientReadableStream<DeliveryUpdate__Output>;
  readonly #buffer: DeliveryUpdate[] = [];
  #ended = false;
  #error: WebhookdError | undefined;
  #closed = false;
  #wake: (() => void) | undefined;

  /** @internal Created by {@link WebhookdClient.streamDeliveries}. */
  constructor(call: grpc.ClientReadableStream<DeliveryUpdate__Output>) {
    this.#call = call;
    call.on('data', (update: DeliveryUpdate__Output) => {
      this.#buffer.push(convert.deliveryUpdate(update));
      if (this.#buffer.length >= HIGH_WATER_MARK) {
        call.pause();
      }
      this.#notify();
    });
    call.on('error', (error: grpc.ServiceError) => {
      this.#error = WebhookdError.fromServiceError(error);
      this.#notify();
    });
    call.on('end', () => {
      this.#ended = true;
      this.#notify();
    });
  }

  /** Cancels the call: a pending or later iteration step ends the iteration. Safe to call twice. */
  close(): void {
    this.#closed = true;
    this.#call.cancel();
    this.#notify();
  }

  /** Same as {@link close} (its name before 0.1). */
  cancel(): void {
    this.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<DeliveryUpdate> {
    try {
      for (;;) {
        if (this.#closed) {
          return;
        }
        const update = this.#buffer.shift();
        if (update !== undefined) {
          if (this.#call.isPaused() && this.#buffer.length < HIGH_WATER_MARK / 2) {
            this.#call.resume();
          }
          yield update;
        } else if (this.#error !== undefined) {
          throw this.#error;
        } else if (this.#ended) {
          return;
        } else {
          await new Promise<void>((resolve) => {
            this.#wake = resolve;
          });
        }
      }
    } finally {
      // Leaving the loop early must not leave the call open.
      if (!this.#ended && this.#error === undefined && !this.#closed) {
        this.close();
      }
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
