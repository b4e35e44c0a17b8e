/** Runs every case of the Standard Webhooks vectors (tests/vectors/standard_webhooks.json). */
import { strict as assert } from 'node:assert';
import { createPrivateKey, sign as signWithKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import {
  STANDARD_ID_HEADER,
  STANDARD_SIGNATURE_HEADER,
  STANDARD_TIMESTAMP_HEADER,
  verifyStandard,
  WebhookVerificationError,
  type WebhookVerificationErrorCode,
} from '../src';
import { signStandardV1 } from '../src/signature';

interface SignCase {
  name: string;
  secret: string;
  id: string;
  timestamp: number;
  body: string;
  expected_signature: string;
}

interface SignEd25519Case {
  name: string;
  private_key: string;
  public_key: string;
  id: string;
  timestamp: number;
  body: string;
  expected_signature: string;
}

interface VerifyCase {
  name: string;
  secrets: string[];
  public_keys?: string[];
  id: string;
  body: string;
  timestamp_header: string;
  signature_header: string;
  now: number;
  tolerance_seconds: number;
  valid: boolean;
  error?: WebhookVerificationErrorCode;
}

/** WEBHOOKD_STANDARD_VECTORS, else the repository's tests/vectors (this runs from dist/test). */
const vectorsPath =
  process.env.WEBHOOKD_STANDARD_VECTORS ??
  path.resolve(__dirname, '..', '..', '..', '..', 'tests', 'vectors', 'standard_webhooks.json');
const vectors = JSON.parse(readFileSync(vectorsPath, 'utf8')) as {
  scheme: string;
  headers: Record<string, string>;
  sign: SignCase[];
  sign_ed25519: SignEd25519Case[];
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

test('standard vectors describe the standard scheme', () => {
  assert.equal(vectors.scheme, 'standard');
  assert.deepEqual(vectors.headers, {
    id: STANDARD_ID_HEADER,
    timestamp: STANDARD_TIMESTAMP_HEADER,
    signature: STANDARD_SIGNATURE_HEADER,
  });
});

describe('standard sign vectors', () => {
  assert.ok(vectors.sign.length > 0);
  for (const c of vectors.sign) {
    test(c.name, () => {
      assert.equal(signStandardV1(c.secret, c.id, c.timestamp, c.body), c.expected_signature);
      const bytes = Buffer.from(c.body, 'utf8');
      assert.equal(signStandardV1(c.secret, c.id, c.timestamp, bytes), c.expected_signature);
      const ts = `${c.timestamp}`;
      verifyStandard(bytes, c.id, ts, c.expected_signature, c.secret, { now: c.timestamp });
      const rotated = ['whsec_AAAA', c.secret.replace(/^whsec_/, '')];
      verifyStandard(c.body, c.id, ts, c.expected_signature, rotated, { now: c.timestamp });
    });
  }
});

describe('standard sign_ed25519 vectors', () => {
  assert.ok(vectors.sign_ed25519.length > 0);
  for (const c of vectors.sign_ed25519) {
    test(c.name, () => {
      const seed = Buffer.from(c.private_key.replace(/^whsk_/, ''), 'base64');
      const publicKey = Buffer.from(c.public_key.replace(/^whpk_/, ''), 'base64');
      const privateKey = createPrivateKey({
        key: {
          kty: 'OKP',
          crv: 'Ed25519',
          d: seed.toString('base64url'),
          x: publicKey.toString('base64url'),
        },
        format: 'jwk',
      });
      const message = Buffer.from(`${c.id}.${c.timestamp}.${c.body}`, 'utf8');
      const signature = signWithKey(null, message, privateKey).toString('base64');
      assert.equal(`v1a,${signature}`, c.expected_signature);
      verifyStandard(c.body, c.id, `${c.timestamp}`, c.expected_signature, [], {
        publicKeys: c.public_key,
        now: c.timestamp,
      });
    });
  }
});

describe('standard verify vectors', () => {
  assert.ok(vectors.verify.length > 0);
  for (const c of vectors.verify) {
    test(c.name, () => {
      const run = (): void =>
        verifyStandard(
          Buffer.from(c.body, 'utf8'),
          c.id,
          c.timestamp_header,
          c.signature_header,
          c.secrets,
          { publicKeys: c.public_keys, now: c.now, toleranceSeconds: c.tolerance_seconds },
        );
      if (c.valid) {
        run();
      } else {
        assert.ok(c.error, 'an invalid case names its error');
        assertRejects(run, c.error);
      }
    });
  }
});

describe('verifyStandard', () => {
  const c = vectors.sign[0]!;
  const ts = `${c.timestamp}`;
  const now = c.timestamp;

  test('accepts signatures split over repeated headers', () => {
    const headers = ['v1,AAAA', c.expected_signature];
    verifyStandard(c.body, [c.id], [ts], headers, c.secret, { now });
  });

  test('uses the system clock and the default tolerance', () => {
    assertRejects(
      () => verifyStandard(c.body, c.id, ts, c.expected_signature, c.secret),
      'timestamp_out_of_tolerance',
    );
  });

  test('rejects missing or empty headers as malformed', () => {
    const sig = c.expected_signature;
    const cases: [string | undefined, string | undefined, string | undefined][] = [
      [undefined, ts, sig],
      ['', ts, sig],
      [c.id, undefined, sig],
      [c.id, ts, undefined],
      [c.id, ts, '  '],
    ];
    for (const [id, timestamp, signature] of cases) {
      assertRejects(
        () => verifyStandard(c.body, id, timestamp, signature, c.secret, { now }),
        'malformed_header',
      );
    }
  });

  test('rejects invalid secrets and keys, and no key at all, as programming errors', () => {
    const run = (secret: string | string[], publicKeys?: string): void =>
      verifyStandard(c.body, c.id, ts, c.expected_signature, secret, { now, publicKeys });
    assert.throws(() => run([]), TypeError);
    for (const secret of ['whsec_', 'whsec_not base64!', 'abc']) {
      assert.throws(() => run(secret), TypeError, secret);
    }
    for (const key of ['whpk_', 'whpk_AAAA', 'whpk_not base64!']) {
      assert.throws(() => run([], key), TypeError, key);
    }
  });
});
