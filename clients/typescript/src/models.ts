/**
 * The values the client takes and returns: plain objects, never generated
 * messages. Timestamps are `Date`s (`undefined` when absent), 64-bit counts
 * and sequence numbers are `bigint`, enums are the lowercase names of the
 * proto values without their type prefix (`DELIVERY_STATE_SUCCEEDED` is
 * `'succeeded'`). Strings the server leaves empty stay `''`.
 */

/** The lifecycle state of a delivery. Endpoint updates of a stream carry `'unspecified'`. */
export type DeliveryState =
  | 'unspecified'
  | 'pending'
  | 'in_flight'
  | 'succeeded'
  | 'failed'
  | 'dead'
  | 'cancelled';

/** What a {@link DeliveryUpdate} reports. */
export type UpdateKind =
  | 'unspecified'
  | 'created'
  | 'attempt_started'
  | 'succeeded'
  | 'retry_scheduled'
  | 'dead_lettered'
  | 'failed'
  | 'paused'
  | 'replayed'
  | 'cancelled'
  | 'circuit_opened'
  | 'circuit_closed'
  | 'endpoint_disabled'
  | 'endpoint_enabled'
  | 'heartbeat'
  | 'lagged';

/** What an API key may do: `dispatch` only, `read` (streams, metrics, the log), or everything. */
export type ApiKeyRole = 'unspecified' | 'dispatch' | 'read' | 'admin';

/** How an endpoint's deliveries are signed: X-Webhook-* headers, or Standard Webhooks. */
export type SignatureScheme = 'unspecified' | 'webhookd' | 'standard';

/** The outcome of {@link WebhookdClient.dispatch}. */
export interface DispatchResult {
  /** The event id (`evt_...`), sent to receivers as X-Webhook-Id. */
  eventId: string;
  /** One delivery per endpoint the event was routed to (`dlv_...`). */
  deliveryIds: string[];
  /** True when the idempotency key was seen before: the ids are the original event's. */
  duplicate: boolean;
}

/** The outcome of a replay. */
export interface ReplayResult {
  /** The new deliveries (for a bulk replay, the first 1000). */
  deliveryIds: string[];
  /** How many deliveries the replay created, or would create with `dryRun`. */
  count: bigint;
}

/** Selects deliveries; every field is optional and set fields must all match. */
export interface DeliveryFilter {
  /** Only deliveries of events created at or after this time. */
  startTime?: Date;
  /** Only deliveries of events created before this time. */
  endTime?: Date;
  /** Only events whose type matches one of these (`order.created`, `order.*`, `*`). */
  eventTypes?: string[];
  /** Only deliveries to this endpoint. */
  endpointId?: string;
  /** Only deliveries in one of these states. */
  states?: DeliveryState[];
}

/** An event as stored: never changed after dispatch. */
export interface Event {
  id: string;
  eventType: string;
  /** The canonical JSON exactly as signed and sent (parse it with a big-number-aware parser if needed). */
  payloadJson: string;
  /** Empty when the dispatch had no idempotency key. */
  idempotencyKey: string;
  createdAt?: Date;
  /** The dispatch's ordering key; `undefined` when it had none. */
  orderingKey?: string;
}

/** One HTTP attempt of a delivery. */
export interface Attempt {
  /** 1 for the first attempt of the delivery. */
  number: number;
  startedAt?: Date;
  durationMs: bigint;
  /** The receiver's status; 0 when no response was received. */
  httpStatus: number;
  /** Empty on success; `timeout`, `connect`, `dns`, `tls`, `http_5xx`, ... */
  errorKind: string;
  errorMessage: string;
  /** The first bytes of the response body. */
  responseExcerpt: string;
}

/** One event's delivery to one endpoint. */
export interface Delivery {
  id: string;
  eventId: string;
  endpointId: string;
  eventType: string;
  state: DeliveryState;
  attemptCount: number;
  /**
   * When the next attempt is due (pending deliveries); `undefined` for a
   * pending delivery that waits for the one before it in its ordering key
   * ({@link waitingForOrderingKey}).
   */
  nextAttemptAt?: Date;
  lastError: string;
  /** The delivery this one replays; empty for an original delivery. */
  replayOf: string;
  createdAt?: Date;
  updatedAt?: Date;
  /** Filled by {@link WebhookdClient.getEvent} only. */
  attempts: Attempt[];
  /**
   * The ordering key it is delivered under: its event's; `undefined` when
   * the event has none, and for a replay, which is not ordered.
   */
  orderingKey?: string;
  /**
   * Pending, and waiting until the delivery before it with the same ordering
   * key (to the same endpoint) has succeeded or been given up.
   */
  waitingForOrderingKey: boolean;
}

/** An event with every delivery (replays included) and every attempt. */
export interface EventDetail {
  event: Event;
  deliveries: Delivery[];
}

/** One page of a listing; pass `nextPageToken` back as `pageToken` for the next. */
export interface Page<T> {
  items: T[];
  /** Empty on the last page. */
  nextPageToken: string;
}

/**
 * An endpoint's own retry schedule, in place of the server config's
 * `retry_policy` for its deliveries. The server checks the ranges
 * (`maxAttempts` 1 to 100, each delay 0 to 24 hours, at most 100 delays)
 * and refuses others with `INVALID_ARGUMENT`; the config's jitter applies
 * to these delays too. Read back from an endpoint, both fields are set.
 */
export interface RetrySchedule {
  /** Attempts in all, the first included; 0 or unset keeps the config's `max_attempts`. */
  maxAttempts?: number;
  /**
   * The waits before the first, second, ... retry, in milliseconds; the
   * last one repeats when `maxAttempts` asks for more. Empty or unset: the
   * config's exponential backoff. Sent as (fractional) seconds.
   */
  delaysMs?: number[];
}

/** A receiver of webhooks. Its secret is never returned, only `secretHint`. */
export interface Endpoint {
  id: string;
  url: string;
  eventTypes: string[];
  active: boolean;
  disabledReason: string;
  disabledAt?: Date;
  /** `config` (from the config file) or `api`. */
  origin: string;
  /** The last 4 characters of its signing secret. */
  secretHint: string;
  /** While a rotated-out secret is still accepted: until when. */
  previousSecretExpiresAt?: Date;
  consecutiveFailures: number;
  createdAt?: Date;
  updatedAt?: Date;
  /** `closed`, `open` or `half_open`. */
  circuitState: string;
  signatureScheme: SignatureScheme;
  /** For Standard Webhooks endpoints with an ed25519 secret: the `whpk_` public key. */
  publicKey: string;
  /**
   * Static headers added to every delivery, by lower-case name; `{}` when
   * none. Values of credential headers (authorization, proxy-authorization,
   * cookie, x-api-key, api-key) read back as `***`.
   */
  headers: Record<string, string>;
  /** Its own retry schedule; `undefined`: the server config's `retry_policy`. */
  retryPolicy?: RetrySchedule;
  /**
   * Its payload filter, a JSON object of dotted paths to conditions (see
   * {@link WebhookdClient.createEndpoint}); `undefined`: every event of its
   * types.
   */
  filter?: Record<string, unknown>;
}

/** The outcome of {@link WebhookdClient.rotateEndpointSecret}. */
export interface RotatedSecret {
  endpoint: Endpoint;
  /** The new secret: the only response that ever contains one, store it now. */
  newSecret: string;
}

/** A delivery or endpoint state change, as streamed by {@link WebhookdClient.streamDeliveries}. */
export interface DeliveryUpdate {
  deliveryId: string;
  eventId: string;
  endpointId: string;
  eventType: string;
  /** The state the delivery is in after this update. */
  state: DeliveryState;
  /** The 1-based number of the attempt this update reports, 0 if none. */
  attempt: number;
  httpStatus: number;
  errorKind: string;
  latencyMs: bigint;
  nextAttemptAt?: Date;
  occurredAt?: Date;
  kind: UpdateKind;
  /** Increases with every live update of one webhookd instance (0 for replayed history): resume with `sinceSequence`. */
  sequence: bigint;
  /** With kind `lagged`: how many updates this stream missed. */
  missed: bigint;
  detail: string;
}

/** Attempt latency percentiles, in milliseconds. */
export interface LatencySummary {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** One endpoint's health and delivery statistics in a {@link Metrics} window. */
export interface EndpointStatus {
  endpointId: string;
  active: boolean;
  disabledReason: string;
  circuitState: string;
  consecutiveFailures: number;
  attempted: bigint;
  succeeded: bigint;
  successRate: number;
  latency?: LatencySummary;
  /** Deliveries waiting for an attempt. */
  pending: bigint;
  oldestPendingAgeSeconds: number;
  /**
   * Requests it may have in flight at once: its `max_concurrent` or the
   * config's `max_concurrent_per_endpoint`.
   */
  concurrencyLimit: number;
  /**
   * The adaptive window within that limit on the answering instance (1 to
   * `concurrencyLimit`): halved on 429, 503, timeouts and slow answers,
   * grown back by one per window of successes; 0 on an instance that
   * delivers nothing.
   */
  concurrencyWindow: number;
}

/** Delivery statistics over a time window, from {@link WebhookdClient.getMetrics}. */
export interface Metrics {
  attempted: bigint;
  succeeded: bigint;
  failed: bigint;
  deadLettered: bigint;
  /** succeeded / attempted, in [0, 1]; 0 when nothing was attempted. */
  successRate: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  failuresByErrorKind: Record<string, bigint>;
  /** Failed attempts by HTTP status class (`4xx`, `5xx`, `none`). */
  failuresByStatusClass: Record<string, bigint>;
  endpoints: EndpointStatus[];
  windowSeconds: number;
  /**
   * The retry budget of the answering instance (`webhook_engine.retry_budget`):
   * how many attempts at once may be retries; 0 on an instance that delivers
   * nothing.
   */
  retryBudgetSlots: number;
  /** Attempts in flight now that are retries. */
  retriesInFlight: number;
  /** Retries that waited for the budget in the window. */
  retriesDeferred: bigint;
}

/** An event type of the catalog (the server config's `event_catalog`). */
export interface EventType {
  /** An exact event type, such as `order.created`. */
  name: string;
  /** Empty when the catalog gives none. */
  description: string;
  /**
   * The JSON Schema every dispatched payload of this type must match
   * (`dispatch` rejects otherwise with `INVALID_ARGUMENT`, reason
   * `SCHEMA_VIOLATION`), as a JSON object; `undefined`: any JSON object.
   */
  schema?: Record<string, unknown>;
}

/** The event-type catalog, from {@link WebhookdClient.listEventTypes}. */
export interface EventCatalog {
  /** Sorted by name; empty when the server has no catalog. */
  eventTypes: EventType[];
  /**
   * Whether `dispatch` accepts event types that are not in the catalog
   * (`event_catalog.unknown_types`); when `false` they are rejected with
   * `INVALID_ARGUMENT`, reason `UNKNOWN_EVENT_TYPE`.
   */
  unknownTypesAllowed: boolean;
}

/** An API key, without the key itself. */
export interface ApiKey {
  name: string;
  role: ApiKeyRole;
  /** `config` (from the config file, read-only over the API) or `api`. */
  origin: string;
  createdAt?: Date;
  /** Set once the key is revoked. */
  revokedAt?: Date;
  /** The first 8 hex characters of the key's SHA-256, to tell keys apart. */
  fingerprint: string;
}

/** The outcome of {@link WebhookdClient.createApiKey}. */
export interface CreatedApiKey {
  apiKey: ApiKey;
  /** The key, shown only this once: pass it as `apiKey` to a client. */
  key: string;
}
