/**
 * Conversion between the generated message shapes (proto-loader with
 * `longs: String`, `enums: String`, `defaults: true`) and the values of
 * models.ts. The only module, with client.ts, that touches generated types.
 */
import type { ApiKey__Output } from './generated/webhook/v1/ApiKey';
import type { Attempt__Output } from './generated/webhook/v1/Attempt';
import type { Delivery__Output } from './generated/webhook/v1/Delivery';
import type { DeliveryFilter as DeliveryFilterMessage } from './generated/webhook/v1/DeliveryFilter';
import type { DeliveryUpdate__Output } from './generated/webhook/v1/DeliveryUpdate';
import type { Endpoint__Output } from './generated/webhook/v1/Endpoint';
import type {
  EndpointRetryPolicy,
  EndpointRetryPolicy__Output,
} from './generated/webhook/v1/EndpointRetryPolicy';
import type { EndpointStatus__Output } from './generated/webhook/v1/EndpointStatus';
import type { Event__Output } from './generated/webhook/v1/Event';
import type { EventTypeDefinition__Output } from './generated/webhook/v1/EventTypeDefinition';
import type { GetMetricsResponse__Output } from './generated/webhook/v1/GetMetricsResponse';
import type { ListEventTypesResponse__Output } from './generated/webhook/v1/ListEventTypesResponse';
import type { Struct, Struct__Output } from './generated/google/protobuf/Struct';
import type { Timestamp, Timestamp__Output } from './generated/google/protobuf/Timestamp';
import type { Value, Value__Output } from './generated/google/protobuf/Value';
import type {
  ApiKey,
  ApiKeyRole,
  Attempt,
  Delivery,
  DeliveryFilter,
  DeliveryState,
  DeliveryUpdate,
  Endpoint,
  EndpointStatus,
  Event,
  EventCatalog,
  EventType,
  Metrics,
  RetrySchedule,
  SignatureScheme,
  UpdateKind,
} from './models';

/** The lowercase name of `value` without `prefix`; `'unspecified'` for a value this SDK predates. */
function enumName<Name extends string>(value: string | number, prefix: string): Name {
  if (typeof value !== 'string' || !value.startsWith(prefix)) {
    return 'unspecified' as Name;
  }
  return value.slice(prefix.length).toLowerCase() as Name;
}

/** The proto value name of a lowercase `name`; throws a RangeError for an unknown one. */
function enumValue(name: string, prefix: string, known: readonly string[]): string {
  if (!known.includes(name)) {
    throw new RangeError(`unknown ${prefix.slice(0, -1).toLowerCase()} '${name}'; expected one of ${known.join(', ')}`);
  }
  return prefix + name.toUpperCase();
}

const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'in_flight', 'succeeded', 'failed', 'dead', 'cancelled'];
const API_KEY_ROLES: readonly ApiKeyRole[] = ['dispatch', 'read', 'admin'];
const SIGNATURE_SCHEMES: readonly SignatureScheme[] = ['webhookd', 'standard'];

export const deliveryState = (value: string | number): DeliveryState => enumName(value, 'DELIVERY_STATE_');
export const deliveryStateValue = (name: DeliveryState): string => enumValue(name, 'DELIVERY_STATE_', DELIVERY_STATES);
export const updateKind = (value: string | number): UpdateKind => enumName(value, 'UPDATE_KIND_');
export const apiKeyRole = (value: string | number): ApiKeyRole => enumName(value, 'API_KEY_ROLE_');
export const apiKeyRoleValue = (name: ApiKeyRole): string => enumValue(name, 'API_KEY_ROLE_', API_KEY_ROLES);
export const signatureScheme = (value: string | number): SignatureScheme => enumName(value, 'SIGNATURE_SCHEME_');
export const signatureSchemeValue = (name: SignatureScheme): string =>
  enumValue(name, 'SIGNATURE_SCHEME_', SIGNATURE_SCHEMES);

/** A timestamp as a `Date` (millisecond precision), `undefined` when unset. */
export function date(stamp: Timestamp__Output | null | undefined): Date | undefined {
  if (stamp === null || stamp === undefined) {
    return undefined;
  }
  return new Date(Number(stamp.seconds) * 1000 + Math.floor(stamp.nanos / 1_000_000));
}

/** A `Date` as a timestamp; throws a RangeError for an invalid date. */
export function timestamp(value: Date): Timestamp {
  const millis = value.getTime();
  if (Number.isNaN(millis)) {
    throw new RangeError('invalid Date');
  }
  const seconds = Math.floor(millis / 1000);
  return { seconds: String(seconds), nanos: (millis - seconds * 1000) * 1_000_000 };
}

/** An unsigned 64-bit field (a decimal string with `longs: String`) as a bigint. */
export const uint64 = (value: string | number): bigint => BigInt(value);

/** A repeated string field; refuses a bare string, which would be taken apart. */
export function strings(values: readonly string[] | undefined): string[] {
  if (typeof values === 'string') {
    throw new TypeError(`expected an array of strings, got the string '${values}'`);
  }
  return [...(values ?? [])];
}

/** A `map<string, string>` field; refuses what is not a plain object of strings, such as an array of pairs or a `Map`. */
export function stringMap(values: Readonly<Record<string, string>> | undefined): Record<string, string> {
  if (values === undefined) {
    return {};
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values) || values instanceof Map) {
    throw new TypeError('expected an object of names to strings (not an array or a Map)');
  }
  for (const [name, value] of Object.entries(values)) {
    if (typeof value !== 'string') {
      throw new TypeError(`expected a string value for '${name}', got ${typeof value}`);
    }
  }
  return { ...values };
}

/**
 * A retry schedule as an `EndpointRetryPolicy` message (delays in seconds).
 * Refuses what cannot be sent: a `maxAttempts` that is not an unsigned
 * 32-bit integer, delays that are not an array of finite numbers. The
 * ranges are the server's to check.
 */
export function retrySchedule(schedule: RetrySchedule): EndpointRetryPolicy {
  if (typeof schedule !== 'object' || schedule === null || Array.isArray(schedule)) {
    throw new TypeError('expected a retry schedule: { maxAttempts?, delaysMs? }');
  }
  const maxAttempts = schedule.maxAttempts ?? 0;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 0 || maxAttempts > 0xffff_ffff) {
    throw new RangeError(`maxAttempts must be a non-negative integer, got ${String(schedule.maxAttempts)}`);
  }
  const delaysMs = schedule.delaysMs ?? [];
  if (!Array.isArray(delaysMs)) {
    throw new TypeError('expected delaysMs to be an array of milliseconds');
  }
  for (const [index, delay] of delaysMs.entries()) {
    if (typeof delay !== 'number' || !Number.isFinite(delay)) {
      throw new TypeError(`expected delaysMs[${index}] to be a finite number of milliseconds, got ${String(delay)}`);
    }
  }
  return { maxAttempts, delaysSeconds: delaysMs.map((ms) => ms / 1000) };
}

/** An `EndpointRetryPolicy` message as a retry schedule, `undefined` when unset. */
export function retryScheduleOf(message: EndpointRetryPolicy__Output | null | undefined): RetrySchedule | undefined {
  if (message === null || message === undefined) {
    return undefined;
  }
  return {
    maxAttempts: message.maxAttempts,
    // Rounded to the microsecond: 0.2 s reads back as 200, not 200.00000000000003.
    delaysMs: message.delaysSeconds.map((seconds) => Math.round(Number(seconds) * 1_000_000) / 1000),
  };
}

/** A JSON value (as `JSON.parse` makes them) as a `google.protobuf.Value` message. */
function jsonValue(value: unknown): Value {
  if (value === null) {
    return { nullValue: 'NULL_VALUE' };
  }
  if (Array.isArray(value)) {
    return { listValue: { values: value.map(jsonValue) } };
  }
  switch (typeof value) {
    case 'number':
      return { numberValue: value };
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    default:
      return { structValue: { fields: jsonFields(value as Record<string, unknown>) } };
  }
}

function jsonFields(object: Record<string, unknown>): Record<string, Value> {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, jsonValue(value)]));
}

/**
 * A JSON object as a `google.protobuf.Struct` message. The object is taken
 * as its `JSON.stringify` form, like a dispatch's payload (`toJSON` applies,
 * `undefined` members are left out, a `bigint` throws); refuses what is not
 * a plain object, such as an array or a `Map`. Struct numbers are doubles.
 */
export function jsonStruct(object: Readonly<Record<string, unknown>>): Struct {
  if (typeof object !== 'object' || object === null || Array.isArray(object) || object instanceof Map) {
    throw new TypeError('expected a JSON object (not an array or a Map)');
  }
  const text: string | undefined = JSON.stringify(object);
  const json: unknown = text === undefined ? undefined : JSON.parse(text);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new TypeError(`expected a JSON object, got one that serializes as ${String(text)}`);
  }
  return { fields: jsonFields(json as Record<string, unknown>) };
}

/** A `google.protobuf.Value` message as a JSON value; `null` for an unset one, as in proto3 JSON. */
function jsonValueOf(message: Value__Output): unknown {
  switch (message.kind) {
    case 'numberValue':
      return message.numberValue;
    case 'stringValue':
      return message.stringValue;
    case 'boolValue':
      return message.boolValue;
    case 'structValue':
      return jsonObjectOf(message.structValue) ?? {};
    case 'listValue':
      return (message.listValue?.values ?? []).map(jsonValueOf);
    default:
      return null;
  }
}

/** A `google.protobuf.Struct` message as a JSON object, `undefined` when unset. */
export function jsonObjectOf(message: Struct__Output | null | undefined): Record<string, unknown> | undefined {
  if (message === null || message === undefined) {
    return undefined;
  }
  return Object.fromEntries(Object.entries(message.fields).map(([key, value]) => [key, jsonValueOf(value)]));
}

export function deliveryFilter(filter: DeliveryFilter | undefined): DeliveryFilterMessage {
  return {
    startTime: filter?.startTime ? timestamp(filter.startTime) : null,
    endTime: filter?.endTime ? timestamp(filter.endTime) : null,
    eventTypes: strings(filter?.eventTypes),
    endpointId: filter?.endpointId ?? '',
    states: (filter?.states ?? []).map(deliveryStateValue) as DeliveryFilterMessage['states'],
  };
}

export function event(message: Event__Output | null): Event {
  return {
    id: message?.id ?? '',
    eventType: message?.eventType ?? '',
    payloadJson: message?.payloadJson ?? '',
    idempotencyKey: message?.idempotencyKey ?? '',
    createdAt: date(message?.createdAt),
    orderingKey: message?.orderingKey || undefined,
  };
}

function attempt(message: Attempt__Output): Attempt {
  return {
    number: message.number,
    startedAt: date(message.startedAt),
    durationMs: uint64(message.durationMs),
    httpStatus: message.httpStatus,
    errorKind: message.errorKind,
    errorMessage: message.errorMessage,
    responseExcerpt: message.responseExcerpt,
  };
}

export function delivery(message: Delivery__Output): Delivery {
  return {
    id: message.id,
    eventId: message.eventId,
    endpointId: message.endpointId,
    eventType: message.eventType,
    state: deliveryState(message.state),
    attemptCount: message.attemptCount,
    nextAttemptAt: date(message.nextAttemptAt),
    lastError: message.lastError,
    replayOf: message.replayOf,
    createdAt: date(message.createdAt),
    updatedAt: date(message.updatedAt),
    attempts: message.attempts.map(attempt),
    orderingKey: message.orderingKey || undefined,
    waitingForOrderingKey: message.waitingForOrderingKey,
  };
}

export function endpoint(message: Endpoint__Output | null): Endpoint {
  if (message === null) {
    throw new Error('webhookd returned no endpoint');
  }
  return {
    id: message.id,
    url: message.url,
    eventTypes: [...message.eventTypes],
    active: message.active,
    disabledReason: message.disabledReason,
    disabledAt: date(message.disabledAt),
    origin: message.origin,
    secretHint: message.secretHint,
    previousSecretExpiresAt: date(message.previousSecretExpiresAt),
    consecutiveFailures: message.consecutiveFailures,
    createdAt: date(message.createdAt),
    updatedAt: date(message.updatedAt),
    circuitState: message.circuitState,
    signatureScheme: signatureScheme(message.signatureScheme),
    publicKey: message.publicKey,
    headers: { ...message.headers },
    retryPolicy: retryScheduleOf(message.retryPolicy),
    filter: jsonObjectOf(message.filter),
  };
}

export function deliveryUpdate(message: DeliveryUpdate__Output): DeliveryUpdate {
  return {
    deliveryId: message.deliveryId,
    eventId: message.eventId,
    endpointId: message.endpointId,
    eventType: message.eventType,
    state: deliveryState(message.state),
    attempt: message.attempt,
    httpStatus: message.httpStatus,
    errorKind: message.errorKind,
    latencyMs: uint64(message.latencyMs),
    nextAttemptAt: date(message.nextAttemptAt),
    occurredAt: date(message.occurredAt),
    kind: updateKind(message.kind),
    sequence: uint64(message.sequence),
    missed: uint64(message.missed),
    detail: message.detail,
  };
}

function counts(values: Record<string, string>): Record<string, bigint> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, uint64(value)]));
}

function endpointStatus(message: EndpointStatus__Output): EndpointStatus {
  const latency = message.latency;
  return {
    endpointId: message.endpointId,
    active: message.active,
    disabledReason: message.disabledReason,
    circuitState: message.circuitState,
    consecutiveFailures: message.consecutiveFailures,
    attempted: uint64(message.attempted),
    succeeded: uint64(message.succeeded),
    successRate: message.successRate,
    latency: latency
      ? { p50Ms: latency.p50Ms, p95Ms: latency.p95Ms, p99Ms: latency.p99Ms, maxMs: latency.maxMs }
      : undefined,
    pending: uint64(message.pending),
    oldestPendingAgeSeconds: message.oldestPendingAgeSeconds,
    concurrencyLimit: message.concurrencyLimit,
    concurrencyWindow: message.concurrencyWindow,
  };
}

export function metrics(message: GetMetricsResponse__Output): Metrics {
  return {
    attempted: uint64(message.attempted),
    succeeded: uint64(message.succeeded),
    failed: uint64(message.failed),
    deadLettered: uint64(message.deadLettered),
    successRate: message.successRate,
    latencyP50Ms: message.latencyP50Ms,
    latencyP95Ms: message.latencyP95Ms,
    latencyP99Ms: message.latencyP99Ms,
    latencyMaxMs: message.latencyMaxMs,
    failuresByErrorKind: counts(message.failuresByErrorKind),
    failuresByStatusClass: counts(message.failuresByStatusClass),
    endpoints: message.endpoints.map(endpointStatus),
    windowSeconds: message.windowSeconds,
    retryBudgetSlots: message.retryBudgetSlots,
    retriesInFlight: message.retriesInFlight,
    retriesDeferred: uint64(message.retriesDeferred),
  };
}

function eventType(message: EventTypeDefinition__Output): EventType {
  return {
    name: message.name,
    description: message.description,
    schema: jsonObjectOf(message.schema),
  };
}

export function eventCatalog(message: ListEventTypesResponse__Output): EventCatalog {
  return {
    eventTypes: message.eventTypes.map(eventType),
    unknownTypesAllowed: message.unknownTypesAllowed,
  };
}

export function apiKey(message: ApiKey__Output | null): ApiKey {
  if (message === null) {
    throw new Error('webhookd returned no API key');
  }
  return {
    name: message.name,
    role: apiKeyRole(message.role),
    origin: message.origin,
    createdAt: date(message.createdAt),
    revokedAt: date(message.revokedAt),
    fingerprint: message.fingerprint,
  };
}
