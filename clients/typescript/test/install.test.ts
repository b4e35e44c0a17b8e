/**
 * Installs the package as users will, into fresh projects outside the
 * repository: from a path (a fresh copy of the sources, without
 * node_modules or dist, as in a new clone) and from the `npm pack` tarball.
 * Then `require`, `import` and a TypeScript compile of a tiny program, which
 * calls the harness's webhookd. Skipped unless WEBHOOKD_ADDR is set.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { VERSION } from '../src';

const skip = process.env.WEBHOOKD_ADDR ? false : 'WEBHOOKD_ADDR is not set (run clients/test.sh)';
/** This package's directory (the test runs from dist/test). */
const PACKAGE_DIR = path.resolve(__dirname, '..', '..');
/** What a clone has of the package: no node_modules, no dist. */
const SOURCES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts', 'src', 'LICENSE', 'README.md'];
const TIMEOUT = { timeout: 240_000 };

const PROGRAM_CJS = `
const { WebhookdClient, VERSION } = require('@webhookd/client');
const client = new WebhookdClient({ address: process.argv[2] });
client.listEndpoints({ pageSize: 1000 }).then((page) => {
  console.log(VERSION, require.resolve('@webhookd/client'), page.items.map((e) => e.id).join(','));
  client.close();
});
`;
const PROGRAM_ESM = `
import { WebhookdClient, WebhookdError, VERSION } from '@webhookd/client';
const client = new WebhookdClient({ address: process.argv[2] });
try {
  await client.getEndpoint('ep_does_not_exist');
} catch (error) {
  console.log(VERSION, error instanceof WebhookdError, error.reason);
} finally {
  client.close();
}
`;
const PROGRAM_TS = `
import { WebhookdClient, type Endpoint, type Page } from '@webhookd/client';
const client = new WebhookdClient({ address: process.argv[2] ?? '', timeoutMs: 5_000 });
const pages: Promise<Page<Endpoint>> = client.listEndpoints();
const count: Promise<bigint> = client.deleteEndpoint('ep_x');
void pages;
void count;
`;

let work: string;

before(() => {
  work = mkdtempSync(path.join(tmpdir(), 'webhookd-ts-install-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
}

const npm = (args: string[], cwd: string): string =>
  run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], cwd);

/** A fresh project in `work`, with @webhookd/client installed from `spec`. */
function project(name: string, spec: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir);
  npm(['init', '-y'], dir);
  npm(['install', spec], dir);
  return dir;
}

/** Runs the CommonJS and ESM programs in `dir` against the harness's webhookd. */
function checkPrograms(dir: string): void {
  const address = process.env.WEBHOOKD_ADDR ?? '';
  writeFileSync(path.join(dir, 'program.cjs'), PROGRAM_CJS);
  writeFileSync(path.join(dir, 'program.mjs'), PROGRAM_ESM);
  const [version, entry, endpoints] = run(process.execPath, ['program.cjs', address], dir).trim().split(' ');
  assert.equal(version, VERSION);
  assert.ok(endpoints.split(',').includes(process.env.WEBHOOKD_ENDPOINT_ID ?? ''), endpoints);
  assert.ok(!entry.includes(`${path.sep}src${path.sep}index.ts`), entry);
  assert.equal(run(process.execPath, ['program.mjs', address], dir).trim(), `${VERSION} true ENDPOINT_NOT_FOUND`);
}

test('npm install of a path, from a fresh copy of the sources', { skip, ...TIMEOUT }, () => {
  const sources = path.join(work, 'clone', 'typescript');
  for (const entry of SOURCES) {
    cpSync(path.join(PACKAGE_DIR, entry), path.join(sources, entry), { recursive: true });
  }
  const dir = project('from-path', sources);
  checkPrograms(dir);
});

test('npm install of the packed tarball, and its types', { skip, ...TIMEOUT }, () => {
  const packed = path.join(work, 'packed');
  mkdirSync(packed);
  npm(['pack', '--pack-destination', packed, PACKAGE_DIR], work);
  const [tarball] = readdirSync(packed);
  assert.equal(tarball, `webhookd-client-${VERSION}.tgz`);
  const listing = run('tar', ['-tzf', path.join(packed, tarball)], work).split('\n');
  for (const shipped of ['package/LICENSE', 'package/README.md', 'package/dist/src/index.js', 'package/dist/src/index.d.ts', 'package/dist/src/generated/descriptor.js']) {
    assert.ok(listing.includes(shipped), `${shipped} is not in the tarball`);
  }
  assert.ok(!listing.some((file) => file.endsWith('.proto') || file.startsWith('package/test')), 'stray files in the tarball');

  const dir = project('from-tarball', path.join(packed, tarball));
  checkPrograms(dir);
  writeFileSync(path.join(dir, 'program.ts'), PROGRAM_TS);
  const tsc = require.resolve('typescript/bin/tsc', { paths: [PACKAGE_DIR] });
  for (const module of ['node16', 'commonjs']) {
    const resolution = module === 'node16' ? 'node16' : 'node10';
    run(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', module, '--moduleResolution', resolution, '--types', 'node', '--typeRoots', path.join(PACKAGE_DIR, 'node_modules', '@types'), 'program.ts'], dir);
  }
});
