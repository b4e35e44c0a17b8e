/** What the package publishes: its version comes from clients/VERSION, and its README links work off GitHub. */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { VERSION } from '../src';

const PACKAGE_DIR = path.resolve(__dirname, '..', '..');
const read = (...parts: string[]): string => readFileSync(path.join(PACKAGE_DIR, ...parts), 'utf8');
const manifest = JSON.parse(read('package.json'));

test('the version is the one of clients/VERSION', () => {
  const version = read('..', 'VERSION').trim();
  assert.equal(manifest.version, version);
  assert.equal(VERSION, version);
});

test('license, authors and URLs', () => {
  assert.equal(read('LICENSE'), read('..', '..', 'LICENSE'));
  assert.equal(manifest.license, 'Apache-2.0');
  assert.equal(manifest.author, 'The webhookd Authors');
  assert.equal(manifest.homepage, 'https://github.com/webhookd/webhookd');
  assert.equal(manifest.repository.url, 'git+https://github.com/webhookd/webhookd.git');
});

test('the README has no relative links', () => {
  const targets = [...read('README.md').matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]);
  assert.ok(targets.length > 0);
  for (const target of targets) {
    assert.match(target, /^(https:\/\/|#)/);
  }
});
