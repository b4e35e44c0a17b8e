/** Runs every case of the shared signature vectors, plus SDK-specific checks. */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { sign, verify, WebhookVerificationError, type WebhookVerificationErrorCode } from '../src';

interface SignCase {
  name: string;
  secret: string;
  timestamp: number;
  body: string;
  expected_signature: string;
}

interface VerifyCase {
  name: string;
  secret: string;
  body: string;
  timestamp_header: string;
  signature_header: string;
  now: number;
  tolerance_seconds: number;
  valid: boolean;
  error?: WebhookVerificationErrorCode;
}

/** WEBHOOKD_VECTORS, else tests/vectors of the repository (this file runs from dist/test). */
const vectorsPath =
  process.env.WEBHOOKD_VECTORS ??
  path.resolve(__dirname, '..', '..', '..', '..', 'tests', 'vectors', 'signatures.json');
const vectors = JSON.parse(readFileSync(vectorsPath, 'utf8')) as {
  sign: SignCase[];
  verify: VerifyCase[];
};

/** Asserts that `run` throws a WebhookVerificationError with this code. */
function assertRejects(run: () => void, code: WebhookVerificationErrorCode): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof WebhookVerificationError, `not a WebhookVerificationError: ${error}`);
    assert.equal(error.code, code);
    return true;
  });
}

describe('sign vectors', () => {
  assert.ok(vectors.sign.length > 0);
  for (const c of vectors.sign) {
    test(c.name, () => {
      assert.equal(sign(c.secret, c.timestamp, c.body), c.expected_signature);
      assert.equal(sign(c.secret, c.timestamp, Buffer.from(c.body, 'utf8')), c.expected_signature);
    });
  }
});

describe('verify vectors', () => {
  assert.ok(vectors.verify.length > 0);
  for (const c of vectors.verify) {
    test(c.name, () => {
      const headers = {
        'X-Webhook-Timestamp': c.timestamp_header,
        'X-Webhook-Signature': c.signature_header,
      };
      const run = (): void =>
        verify(Buffer.from(c.body, 'utf8'), headers, c.secret, {
          now: c.now,
          toleranceSeconds: c.tolerance_seconds,
        });
      if (c.valid) {
        run();
      } else {
        assert.ok(c.error, 'an invalid case names its error');
        assertRejects(run, c.error);
      }
    });
  }
});

describe('verify', () => {
  const secret = 'whsec_test_secret';
  const body = '{"order_id":"ord_12345","total":99.99}';
  const now = 1_700_000_000;
  const signature = sign(secret, now, body);

  /** Headers of a request signed with `secret` at `timestamp`. */
  const signed = (timestamp: number): Record<string, string> => ({
    'x-webhook-timestamp': `${timestamp}`,
    'x-webhook-signature': sign(secret, timestamp, body),
  });

  test('matches header names case-insensitively and accepts string bodies', () => {
    const headers = { 'X-WEBHOOK-Timestamp': `${now}`, 'x-Webhook-SIGNATURE': signature };
    verify(body, headers, secret, { now });
  });

  test('accepts repeated signature headers', () => {
    const headers = {
      'x-webhook-timestamp': `${now}`,
      'x-webhook-signature': [sign('another-secret', now, body), signature],
    };
    verify(body, headers, secret, { now });
  });

  test('accepts any of several secrets, and Uint8Array bodies', () => {
    verify(new Uint8Array(Buffer.from(body)), signed(now), ['old-secret', secret], { now });
  });

  test('uses the system clock and the default tolerance', () => {
    const current = Math.floor(Date.now() / 1000);
    verify(body, signed(current), secret);
    assertRejects(() => verify(body, signed(current - 301), secret), 'timestamp_out_of_tolerance');
  });

  test('rejects missing headers as malformed', () => {
    const noTimestamp = { 'x-webhook-signature': signature };
    const noSignature = { 'x-webhook-timestamp': `${now}` };
    assertRejects(() => verify(body, noTimestamp, secret, { now }), 'malformed_header');
    assertRejects(() => verify(body, noSignature, secret, { now }), 'malformed_header');
  });
});
