/**
 * The "webhookd" signature scheme, for receivers.
 *
 * Every delivery is an HTTP POST carrying:
 * - `X-Webhook-Id`: the event id (the same across retries and replays);
 * - `X-Webhook-Timestamp`: unix seconds when the request was signed;
 * - `X-Webhook-Signature`: `sha256=<lowercase hex HMAC-SHA256(secret, "{timestamp}." + body)>`,
 *   possibly several comma-separated values while a secret is being rotated.
 *
 * Endpoints on the Standard Webhooks scheme (https://www.standardwebhooks.com)
 * send `webhook-id`, `webhook-timestamp` and `webhook-signature` instead:
 * check those with {@link verifyStandard}.
 */
import {
  createHmac,
  createPublicKey,
  timingSafeEqual,
  verify as verifySignature,
  type KeyObject,
} from 'node:crypto';

/** Header carrying the event id. */
export const ID_HEADER = 'X-Webhook-Id';
/** Header carrying the signing time in unix seconds. */
export const TIMESTAMP_HEADER = 'X-Webhook-Timestamp';
/** Header carrying one or more `sha256=<hex>` signatures. */
export const SIGNATURE_HEADER = 'X-Webhook-Signature';
/** How far, in seconds, a timestamp may be from now by default, past or future. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Standard Webhooks: header carrying the message id. */
export const STANDARD_ID_HEADER = 'webhook-id';
/** Standard Webhooks: header carrying the signing time in unix seconds. */
export const STANDARD_TIMESTAMP_HEADER = 'webhook-timestamp';
/** Standard Webhooks: header carrying space-separated `v1,<base64>` / `v1a,<base64>` signatures. */
export const STANDARD_SIGNATURE_HEADER = 'webhook-signature';

const SCHEME_PREFIX = 'sha256=';
const SECRET_PREFIX = 'whsec_';
const PUBLIC_KEY_PREFIX = 'whpk_';
const ED25519_KEY_LENGTH = 32;
/** Padded standard base64: the only form accepted for secrets, public keys and signatures. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
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

function parseTimestamp(value: string, name: string = TIMESTAMP_HEADER): number {
  const text = value.trim();
  const timestamp = Number(text);
  if (!INTEGER.test(text) || !Number.isSafeInteger(timestamp)) {
    throw new WebhookVerificationError(
      'malformed_header',
      `${name} "${value}" is not unix seconds`,
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

/** Options of {@link verifyStandard}. */
export interface VerifyStandardOptions extends VerifyOptions {
  /** ed25519 public keys for `v1a` signatures: `whpk_<base64 of 32 bytes>` (prefix optional). */
  publicKeys?: string | string[];
}

/** A header value as node:http gives it: absent, one value, or several. */
export type HeaderValue = string | string[] | undefined;

/**
 * Verifies a delivery signed with the Standard Webhooks scheme. Pass the RAW
 * body bytes and the values of the `webhook-id`, `webhook-timestamp` and
 * `webhook-signature` headers.
 *
 * The signature header holds space-separated `v1,<base64 HMAC-SHA256>` and
 * `v1a,<base64 ed25519>` values; other versions and undecodable values never
 * match. `secret` is one or more `whsec_<base64>` secrets (the prefix is
 * optional; pass `[]` to check only ed25519 signatures); one signature
 * matching any secret or any of `opts.publicKeys` is enough. HMACs are
 * compared in constant time.
 *
 * @throws {WebhookVerificationError} with `code` `malformed_header` when a
 *   header is missing or unparsable, `timestamp_out_of_tolerance` when the
 *   timestamp is too far from now, `signature_mismatch` when no signature matches.
 * @throws {TypeError} when no secret nor public key is given, or one is not valid base64.
 */
export function verifyStandard(
  body: WebhookBody,
  id: HeaderValue,
  timestamp: HeaderValue,
  signature: HeaderValue,
  secret: string | string[],
  opts: VerifyStandardOptions = {},
): void {
  const secrets = (typeof secret === 'string' ? [secret] : secret).map(decodeSecret);
  const publicKeys = toList(opts.publicKeys).map(decodePublicKey);
  if (secrets.length === 0 && publicKeys.length === 0) {
    throw new TypeError('at least one secret or public key is required');
  }

  const webhookId = headerValue(id, STANDARD_ID_HEADER, ',');
  if (webhookId.length === 0) {
    throw new WebhookVerificationError('malformed_header', `empty ${STANDARD_ID_HEADER} header`);
  }
  const signedAt = parseTimestamp(
    headerValue(timestamp, STANDARD_TIMESTAMP_HEADER, ','),
    STANDARD_TIMESTAMP_HEADER,
  );
  const signatures = parseStandardSignatures(
    headerValue(signature, STANDARD_SIGNATURE_HEADER, ' '),
  );

  const tolerance = opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - signedAt) > tolerance) {
    throw new WebhookVerificationError(
      'timestamp_out_of_tolerance',
      `timestamp ${signedAt} is more than ${tolerance} s away from now (${now})`,
    );
  }

  const message = standardMessage(webhookId, signedAt, body);
  const hmacs = signatures.filter((s) => s.version === 'v1').map((s) => s.signature);
  const ed25519s = signatures.filter((s) => s.version === 'v1a').map((s) => s.signature);
  for (const key of secrets) {
    const expected = standardMac(key, message);
    for (const given of hmacs) {
      if (given.length === expected.length && timingSafeEqual(given, expected)) {
        return;
      }
    }
  }
  for (const key of publicKeys) {
    for (const given of ed25519s) {
      if (verifyEd25519(key, message, given)) {
        return;
      }
    }
  }
  throw new WebhookVerificationError(
    'signature_mismatch',
    'no signature matches the secrets or public keys',
  );
}

/**
 * The `v1,<base64>` signature of a body, through the same code path as
 * {@link verifyStandard}; for this package's tests, not exported from its index.
 *
 * @internal
 */
export function signStandardV1(
  secret: string,
  id: string,
  timestamp: number,
  body: WebhookBody,
): string {
  const mac = standardMac(decodeSecret(secret), standardMessage(id, timestamp, body));
  return `v1,${mac.toString('base64')}`;
}

/** What the Standard Webhooks scheme signs: `"{id}.{timestamp}." + body`. */
function standardMessage(id: string, timestamp: number, body: WebhookBody): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), bytes]);
}

/** The v1 signature: HMAC-SHA256 keyed with the decoded secret. */
function standardMac(key: Buffer, message: Buffer): Buffer {
  return createHmac('sha256', key).update(message).digest();
}

function verifyEd25519(key: KeyObject, message: Buffer, signature: Buffer): boolean {
  try {
    return verifySignature(null, message, key, signature);
  } catch {
    return false; // not an ed25519 signature at all
  }
}

function toList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}

/** Decodes padded standard base64, or returns undefined. */
function decodeBase64(text: string): Buffer | undefined {
  return BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
}

/** The HMAC key of a `whsec_<base64>` secret (the prefix is optional). */
function decodeSecret(secret: string): Buffer {
  const key = decodeBase64(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
  );
  if (key === undefined || key.length === 0) {
    throw new TypeError('a Standard Webhooks secret is whsec_ followed by non-empty base64');
  }
  return key;
}

/** The ed25519 key of a `whpk_<base64>` public key (the prefix is optional). */
function decodePublicKey(publicKey: string): KeyObject {
  const raw = decodeBase64(
    publicKey.startsWith(PUBLIC_KEY_PREFIX) ? publicKey.slice(PUBLIC_KEY_PREFIX.length) : publicKey,
  );
  if (raw === undefined || raw.length !== ED25519_KEY_LENGTH) {
    throw new TypeError(
      'a Standard Webhooks public key is whpk_ followed by the base64 of 32 bytes',
    );
  }
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
}

/** A header value as one string; several values are joined with `separator`. */
function headerValue(value: HeaderValue, name: string, separator: string): string {
  if (value === undefined) {
    throw new WebhookVerificationError('malformed_header', `missing ${name} header`);
  }
  return Array.isArray(value) ? value.join(separator) : value;
}

interface StandardSignature {
  version: string;
  signature: Buffer;
}

/**
 * Splits space-separated `version,base64` values. Values that are not base64
 * cannot match anything and are dropped.
 */
function parseStandardSignatures(value: string): StandardSignature[] {
  const parts = value.split(/\s+/).filter((part) => part.length > 0);
  if (parts.length === 0) {
    throw new WebhookVerificationError(
      'malformed_header',
      `${STANDARD_SIGNATURE_HEADER} holds no signature`,
    );
  }
  const signatures: StandardSignature[] = [];
  for (const part of parts) {
    const comma = part.indexOf(',');
    if (comma < 0) {
      throw new WebhookVerificationError(
        'malformed_header',
        `signature "${part}" is not <version>,<base64>`,
      );
    }
    const signature = decodeBase64(part.slice(comma + 1));
    if (signature !== undefined) {
      signatures.push({ version: part.slice(0, comma), signature });
    }
  }
  return signatures;
}
