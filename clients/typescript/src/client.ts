/**
 * A thin, promise-based wrapper around the generated gRPC client of
 * `webhook.v1.WebhookService`.
 */
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from './generated/webhook';
import type { DeliveryUpdate__Output } from './generated/webhook/v1/DeliveryUpdate';
import type { DispatchRequest } from './generated/webhook/v1/DispatchRequest';
import type { DispatchResponse__Output } from './generated/webhook/v1/DispatchResponse';
import type { StreamDeliveriesRequest } from './generated/webhook/v1/StreamDeliveriesRequest';
import type { WebhookServiceClient } from './generated/webhook/v1/WebhookService';

/** A delivery or endpoint state change, as streamed by webhookd. */
export type DeliveryUpdate = DeliveryUpdate__Output;

/** Which updates {@link WebhookdClient.streamDeliveries} returns; every field is optional. */
export type DeliveryStreamFilter = StreamDeliveriesRequest;

/** Options of {@link WebhookdClient}. */
export interface WebhookdClientOptions {
  /** Connect with TLS, trusting the system roots (default: plaintext). */
  tls?: boolean;
  /** Sent on every call as `authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /**
   * Deadline of every unary call, in milliseconds (default 30000). Calls that
   * set their own deadline, and streams, are not affected.
   */
  deadlineMs?: number;
}

/** Options of {@link WebhookdClient.dispatch}. */
export interface DispatchOptions {
  /** Makes the dispatch idempotent: a repeat returns the original event id. */
  idempotencyKey?: string;
  /** Deliver only to these endpoints, subscribed or not. */
  endpointIds?: string[];
}

const DEFAULT_DEADLINE_MS = 30_000;

/** The proto shipped with the package, relative to dist/src. */
const PROTO_ROOT = path.join(__dirname, '..', '..', 'proto');

/**
 * How the proto is loaded. Must match the flags of generate.sh, which the
 * generated types describe.
 * @internal Exported for the tests.
 */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

/** The proto's path under {@link LOADER_OPTIONS}' include directory. @internal */
export const PROTO_FILE = 'webhook/v1/webhook.proto';

let serviceConstructor: ProtoGrpcType['webhook']['v1']['WebhookService'] | undefined;

/** Parses the proto once per process. */
function webhookService(): ProtoGrpcType['webhook']['v1']['WebhookService'] {
  if (serviceConstructor === undefined) {
    const definition = protoLoader.loadSync(PROTO_FILE, LOADER_OPTIONS);
    const proto = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
    serviceConstructor = proto.webhook.v1.WebhookService;
  }
  return serviceConstructor;
}

/**
 * A client of webhookd's gRPC API.
 *
 * The common calls have idiomatic wrappers; every RPC is available on
 * {@link WebhookdClient.raw}, which shares the API key and default deadline.
 * Failed calls reject with a `@grpc/grpc-js` `ServiceError` (see its `code`).
 */
export class WebhookdClient {
  /** The generated client, for every RPC of `webhook.v1.WebhookService`. */
  readonly raw: WebhookServiceClient;

  /**
   * @param address `host:port` of webhookd's gRPC listener.
   */
  constructor(address: string, options: WebhookdClientOptions = {}) {
    const credentials = options.tls
      ? grpc.credentials.createSsl()
      : grpc.credentials.createInsecure();
    const Service = webhookService();
    this.raw = new Service(address, credentials, {
      interceptors: [callDefaults(options.apiKey, options.deadlineMs ?? DEFAULT_DEADLINE_MS)],
    });
  }

  /**
   * Hands an event to webhookd, which stores it and delivers it to every
   * subscribed endpoint (or to `endpointIds`).
   *
   * @param eventType Lowercase dot-separated type, such as `order.created`.
   * @param payload A JSON object, sent as its `JSON.stringify` text.
   * @returns The event id (`evt_...`), which receivers get as `X-Webhook-Id`.
   */
  async dispatch(eventType: string, payload: object, opts: DispatchOptions = {}): Promise<string> {
    const request: DispatchRequest = {
      eventType,
      payloadJson: JSON.stringify(payload),
      idempotencyKey: opts.idempotencyKey ?? '',
      endpointIds: opts.endpointIds ?? [],
    };
    const response = await new Promise<DispatchResponse__Output>((resolve, reject) => {
      this.raw.dispatch(request, (error, result) => {
        if (error) {
          reject(error);
        } else if (result === undefined) {
          reject(new Error('Dispatch returned no response'));
        } else {
          resolve(result);
        }
      });
    });
    return response.eventId;
  }

  /**
   * Streams delivery and endpoint state changes as they happen. Iterate the
   * result with `for await`; leaving the loop, or calling
   * {@link DeliveryStream.cancel}, ends the call.
   */
  streamDeliveries(filter: DeliveryStreamFilter = {}): DeliveryStream {
    return new DeliveryStream(this.raw.streamDeliveries(filter));
  }

  /** Closes the channel. Calls in progress fail. */
  close(): void {
    this.raw.close();
  }
}

/** Adds the API key and the default deadline to every call. */
function callDefaults(apiKey: string | undefined, deadlineMs: number): grpc.Interceptor {
  return (options, nextCall) => {
    const isUnary = !options.method_definition.responseStream;
    const callOptions =
      isUnary && options.deadline === undefined
        ? { ...options, deadline: Date.now() + deadlineMs }
        : options;
    return new grpc.InterceptingCall(nextCall(callOptions), {
      start(metadata, listener, next) {
        if (apiKey !== undefined) {
          metadata.set('authorization', `Bearer ${apiKey}`);
        }
        next(metadata, listener);
      },
    });
  };
}

/** How many updates are buffered before the stream stops reading from the network. */
const HIGH_WATER_MARK = 256;

/**
 * The updates of one StreamDeliveries call, as an async iterable. Iterate it
 * once. Errors of the call (other than its cancellation) are thrown by the
 * iteration.
 */
export class DeliveryStream implements AsyncIterable<DeliveryUpdate> {
  readonly #call: grpc.ClientReadableStream<DeliveryUpdate>;
  readonly #buffer: DeliveryUpdate[] = [];
  #ended = false;
  #error: grpc.ServiceError | undefined;
  #cancelled = false;
  #wake: (() => void) | undefined;

  /** @internal Created by {@link WebhookdClient.streamDeliveries}. */
  constructor(call: grpc.ClientReadableStream<DeliveryUpdate>) {
    this.#call = call;
    call.on('data', (update: DeliveryUpdate) => {
      this.#buffer.push(update);
      if (this.#buffer.length >= HIGH_WATER_MARK) {
        call.pause();
      }
      this.#notify();
    });
    call.on('error', (error: grpc.ServiceError) => {
      this.#error = error;
      this.#notify();
    });
    call.on('end', () => {
      this.#ended = true;
      this.#notify();
    });
  }

  /** Cancels the call: a pending or later iteration step ends the iteration. */
  cancel(): void {
    this.#cancelled = true;
    this.#call.cancel();
    this.#notify();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<DeliveryUpdate> {
    try {
      for (;;) {
        if (this.#cancelled) {
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
      if (!this.#ended && this.#error === undefined && !this.#cancelled) {
        this.cancel();
      }
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
