/**
 * The "webhookd" signature scheme, for receivers.
 *
 * Every delivery is an HTTP POST carrying:
 * - `X-Webhook-Id`: the event id (the same across retries and replays);
 * - `X-Webhook-Timestamp`: unix seconds when the request was signed;
 * - `X-Webhook-Signature`: `sha256=<lowercase hex HMAC-SHA256(secret, "{timestamp}." + body)>`,
 *   possibly several comma-separated values while a secret is being rotated.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying the event id. */
export const ID_HEADER = 'X-Webhook-Id';
/** Header carrying the signing time in unix seconds. */
export const TIMESTAMP_HEADER = 'X-Webhook-Timestamp';
/** Header carrying one or more `sha256=<hex>` signatures. */
export const SIGNATURE_HEADER = 'X-Webhook-Signature';
/** How far, in seconds, a timestamp may be from now by default, past or future. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const SCHEME_PREFIX = 'sha256=';
const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const INTEGER = /^[+-]?\d+$/;

/** A request body exactly as received (or about to be sent). */
export type WebhookBody = Buffer | Uint8Array | string;

/** Request headers, as node:http exposes them; names are matched case-insensitively. */
export type WebhookHeaders = Record<string, string | string[] | undefined>;

/** Why a request failed verification. */
export type WebhookVerificationErrorCode =
  | 'malformed_header'
  | 'timestamp_out_of_tolerance'
  | 'signature_mismatch';

/** Thrown by {@link verify} when a request must be rejected. */
export class WebhookVerificationError extends Error {
  /** The failure category, stable across every webhookd SDK. */
  readonly code: WebhookVerificationErrorCode;

  constructor(code: WebhookVerificationErrorCode, message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.code = code;
  }
}

/** Options of {@link verify}. */
export interface VerifyOptions {
  /** Maximum distance between the timestamp and now, in seconds (default 300). */
  toleranceSeconds?: number;
  /** The current time in unix seconds (default: the system clock). */
  now?: number;
}

/**
 * Signs a body the way webhookd does.
 *
 * @param secret The endpoint's signing secret (its UTF-8 bytes are the HMAC key).
 * @param timestamp Unix seconds, as sent in `X-Webhook-Timestamp`.
 * @param body The exact body bytes.
 * @returns The `X-Webhook-Signature` value, `sha256=<lowercase hex>`.
 */
export function sign(secret: string, timestamp: number, body: WebhookBody): string {
  if (!Number.isSafeInteger(timestamp)) {
    throw new TypeError(`timestamp must be an integer number of seconds, got ${timestamp}`);
  }
  return SCHEME_PREFIX + mac(secret, timestamp, body).toString('hex');
}

/**
 * Verifies a delivery on the receiving side. Pass the RAW body bytes, before
 * any JSON parsing: re-serialized JSON will not match the signature.
 *
 * Accepts the request when any signature of `X-Webhook-Signature` matches any
 * of `secret` (several secrets let a receiver rotate its own configuration).
 * Signatures are compared in constant time.
 *
 * @throws {WebhookVerificationError} with `code` `malformed_header` when a
 *   header is missing or unparsable, `timestamp_out_of_tolerance` when the
 *   timestamp is too far from now, `signature_mismatch` when no signature matches.
 */
export function verify(
  body: WebhookBody,
  headers: WebhookHeaders,
  secret: string | string[],
  opts: VerifyOptions = {},
): void {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0) {
    throw new TypeError('at least one secret is required');
  }
  const timestamp = parseTimestamp(header(headers, TIMESTAMP_HEADER));
  const signatures = parseSignatures(header(headers, SIGNATURE_HEADER));

  const tolerance = opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > tolerance) {
    throw new WebhookVerificationError(
      'timestamp_out_of_tolerance',
      `timestamp ${timestamp} is more than ${tolerance} s away from now (${now})`,
    );
  }

  for (const candidate of secrets) {
    const expected = mac(candidate, timestamp, body);
    for (const signature of signatures) {
      if (signature.length === expected.length && timingSafeEqual(signature, expected)) {
        return;
      }
    }
  }
  throw new WebhookVerificationError('signature_mismatch', 'no signature matches the secret');
}

/** HMAC-SHA256 over `"{timestamp}." + body`, keyed by the secret's UTF-8 bytes. */
function mac(secret: string, timestamp: number, body: WebhookBody): Buffer {
  return createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(`${timestamp}.`, 'utf8')
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest();
}

/** Finds a header by case-insensitive name; repeated values are joined with ",". */
function header(headers: WebhookHeaders, name: string): string {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted && value !== undefined) {
      return Array.isArray(value) ? value.join(',') : value;
    }
  }
  throw new WebhookVerificationError('malformed_header', `missing ${name} header`);
}

function parseTimestamp(value: string): number {
  const text = value.trim();
  const timestamp = Number(text);
  if (!INTEGER.test(text) || !Number.isSafeInteger(timestamp)) {
    throw new WebhookVerificationError(
      'malformed_header',
      `${TIMESTAMP_HEADER} "${value}" is not unix seconds`,
    );
  }
  return timestamp;
}

function parseSignatures(value: string): Buffer[] {
  const signatures = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      if (!part.startsWith(SCHEME_PREFIX)) {
        throw new WebhookVerificationError(
          'malformed_header',
          `signature "${part}" does not start with ${SCHEME_PREFIX}`,
        );
      }
      const hex = part.slice(SCHEME_PREFIX.length);
      if (!HEX.test(hex)) {
        throw new WebhookVerificationError('malformed_header', `signature "${part}" is not hex`);
      }
      return Buffer.from(hex, 'hex');
    });
  if (signatures.length === 0) {
    throw new WebhookVerificationError('malformed_header', `${SIGNATURE_HEADER} holds no signature`);
  }
  return signatures;
}
