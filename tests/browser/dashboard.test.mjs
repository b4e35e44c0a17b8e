// Headless-browser test of the dashboard page served by a live webhookd.
// run.sh starts webhookd, a receiver and a traffic loop, then runs this with
// DASHBOARD_URL (the page) and ARTIFACTS_DIR (where the screenshot goes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const DASHBOARD_URL = process.env.DASHBOARD_URL;
const ARTIFACTS_DIR = path.resolve(process.env.ARTIFACTS_DIR || path.join(import.meta.dirname, 'artifacts'));
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

let browser;
let context;
let page;
const problems = []; // console errors/warnings and page errors

const lastRefresh = () => page.evaluate(() => Number(document.body.dataset.lastRefresh || 0));
const valueOf = (testid) =>
  page.locator(`[data-testid="${testid}"]`).first().getAttribute('data-value');

before(async () => {
  assert.ok(DASHBOARD_URL, 'DASHBOARD_URL must be set');
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  // launch() gives the browser a fresh, throwaway user data dir.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') {
      problems.push(`console.${msg.type()}: ${msg.text()} (${JSON.stringify(msg.location())})`);
    }
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err && err.stack ? err.stack : err}`));
  page.on('requestfailed', (req) => {
    const failure = req.failure();
    problems.push(`requestfailed: ${req.method()} ${req.url()} ${failure ? failure.errorText : ''}`);
  });
});

after(async () => {
  if (context) await context.close();
  if (browser) await browser.close();
});

test('the dashboard shows live numbers, endpoints and failures', { timeout: 90_000 }, async (t) => {
  const response = await page.goto(DASHBOARD_URL, { waitUntil: 'load' });
  assert.equal(response.status(), 200, 'GET / answers 200');
  assert.match(response.headers()['content-type'] || '', /text\/html/);
  assert.equal(await page.locator('header h1').innerText(), 'webhookd');

  await t.test('a first refresh completes', async () => {
    await page.waitForFunction(() => Number(document.body.dataset.lastRefresh || 0) >= 1, null, { timeout: 20_000 });
    assert.equal(await page.locator('[data-testid="error-banner"]').isVisible(), false, 'no error banner');
    for (const id of ['success-rate', 'deliveries-per-second', 'p50', 'p95', 'p99', 'dead-lettered', 'attempted']) {
      assert.equal(await page.locator(`[data-testid="${id}"]`).count(), 1, `one [data-testid=${id}]`);
    }
    assert.equal(await page.locator('#ready-dot.ready').count(), 1, 'the readiness dot is green');
  });

  await t.test('the numbers change live', async () => {
    // Traffic runs the whole time: a later refresh must show more attempts.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="attempted"]').dataset.value) > 0,
      null, { timeout: 30_000 });
    const first = Number(await valueOf('attempted'));
    const refreshAt = await lastRefresh();
    await page.waitForFunction(
      ([before, refresh]) => Number(document.body.dataset.lastRefresh || 0) > refresh
        && Number(document.querySelector('[data-testid="attempted"]').dataset.value) > before,
      [first, refreshAt], { timeout: 30_000 },
    );
    const second = Number(await valueOf('attempted'));
    assert.ok(second > first, `attempted grew: ${first} -> ${second}`);
    const shown = (await page.locator('[data-testid="attempted"]').innerText()).replace(/[^0-9]/g, '');
    assert.ok(Number(shown) >= second, `attempted is shown as a number (${shown})`);

    // ep_ok succeeds and ep_fail fails: the global rate lies strictly between.
    await page.waitForFunction(() => {
      const r = Number(document.querySelector('[data-testid="success-rate"]').dataset.value);
      return r > 0 && r < 1;
    }, null, { timeout: 20_000 }).catch(() => {});
    const rate = Number(await valueOf('success-rate'));
    assert.ok(rate > 0 && rate < 1, `the success rate is between 0 and 1 with a failing endpoint: ${rate}`);
    assert.ok(Number(await valueOf('deliveries-per-second')) >= 0, 'deliveries per second is a number');
    for (const p of ['p50', 'p95', 'p99']) {
      const v = Number(await valueOf(p));
      assert.ok(Number.isFinite(v) && v >= 0, `${p} is a number: ${v}`);
    }
    assert.ok(Number(await valueOf('p99')) >= Number(await valueOf('p50')), 'p99 >= p50');
    // Both charts are drawn from the series.
    assert.ok(await page.locator('[data-testid="latency-chart"] svg path').count() >= 1, 'latency lines drawn');
    assert.ok(await page.locator('[data-testid="throughput-chart"] svg rect').count() >= 2, 'throughput bars drawn');
  });

  await t.test('failing endpoints are listed first', async () => {
    const rows = page.locator('[data-testid="endpoint-row"]');
    await page.waitForFunction(() => {
      const ids = [...document.querySelectorAll('[data-testid="endpoint-row"]')].map((r) => r.dataset.endpointId);
      return ids.includes('ep_ok') && ids.includes('ep_fail');
    }, null, { timeout: 20_000 });
    // Sorting follows ep_fail's success rate, which needs its first failure recorded.
    await page.waitForFunction(() => {
      const ids = [...document.querySelectorAll('[data-testid="endpoint-row"]')].map((r) => r.dataset.endpointId);
      return ids.indexOf('ep_fail') < ids.indexOf('ep_ok');
    }, null, { timeout: 20_000 }).catch(() => {});
    const ids = await rows.evaluateAll((els) => els.map((r) => r.dataset.endpointId));
    assert.ok(ids.includes('ep_ok') && ids.includes('ep_fail'), `rows for ep_ok and ep_fail: ${ids}`);
    assert.ok(ids.indexOf('ep_fail') < ids.indexOf('ep_ok'), `ep_fail above ep_ok: ${ids}`);
    const failText = await page.locator('[data-testid="endpoint-row"][data-endpoint-id="ep_fail"]').innerText();
    assert.match(failText, /active/, 'ep_fail status is shown');
  });

  await t.test('an open circuit is shown as failing, not as a healthy endpoint', async () => {
    const failRow = '[data-testid="endpoint-row"][data-endpoint-id="ep_fail"]';
    await page.waitForFunction(
      (selector) => /circuit open/.test(document.querySelector(selector)?.textContent || ''),
      failRow, { timeout: 20_000 },
    );
    assert.match(await page.locator(failRow).innerText(), /circuit open/, 'ep_fail shows its open circuit');
    const okText = await page.locator('[data-testid="endpoint-row"][data-endpoint-id="ep_ok"]').innerText();
    assert.match(okText, /circuit closed/, 'ep_ok shows a closed circuit');
  });

  await t.test('a receiver that pushes back shows a narrowed concurrency window', async () => {
    const cell = (id) => `[data-testid="endpoint-row"][data-endpoint-id="${id}"] [data-testid="concurrency"]`;
    await page.waitForFunction((selector) => {
      const c = document.querySelector(selector);
      return c && Number(c.dataset.window) >= 1 && Number(c.dataset.window) < Number(c.dataset.limit);
    }, cell('ep_fail'), { timeout: 20_000 });
    const failing = await page.locator(cell('ep_fail')).innerText();
    assert.match(failing, /^\d+ \/ 10$/, `ep_fail shows window / limit: ${failing}`);
    assert.equal(await page.locator(cell('ep_ok')).innerText(), '10 / 10', 'ep_ok runs at its limit');
    assert.match(await page.locator('#endpoints-hint').innerText(), /retries \d+ \/ 25 slots/, 'the retry budget is shown');
    const badge = page.locator('[data-testid="endpoint-row"][data-endpoint-id="ep_fail"] [data-testid="filter-badge"]');
    assert.equal(await badge.innerText(), 'filtered', 'a filtered endpoint is marked');
    assert.equal(await badge.getAttribute('title'), '{"n":{"$exists":true}}', 'with its filter');
    assert.equal(await page.locator('[data-testid="endpoint-row"][data-endpoint-id="ep_ok"] [data-testid="filter-badge"]').count(), 0);
  });

  await t.test('the failure feed shows ep_fail', async () => {
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid="failure-row"]')].some((r) => r.textContent.includes('ep_fail')),
      null, { timeout: 20_000 },
    );
    const rows = await page.locator('[data-testid="failure-row"]').allInnerTexts();
    assert.ok(rows.length >= 1, 'at least one failure row');
    assert.ok(rows.some((r) => r.includes('ep_fail')), 'a failure row mentions ep_fail');
    assert.ok(!rows.some((r) => r.includes('ep_ok')), 'no failure row for ep_ok (its receiver answers 200)');
  });

  await t.test('the window selector switches to 1 h', async () => {
    const refreshAt = await lastRefresh();
    await page.locator('[data-testid="window-select"] button[data-window="3600"]').click();
    await page.waitForFunction((r) => Number(document.body.dataset.lastRefresh || 0) > r, refreshAt, { timeout: 20_000 });
    assert.equal(await page.locator('button[data-window="3600"]').getAttribute('aria-pressed'), 'true');
    assert.match(await page.locator('#s-attempted').innerText(), /1 h/);
    await page.locator('[data-testid="window-select"] button[data-window="300"]').click();
    await page.waitForFunction((r) => Number(document.body.dataset.lastRefresh || 0) > r + 1, refreshAt, { timeout: 20_000 });
  });

  await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'dashboard.png'), fullPage: true });

  await t.test('no console errors or warnings', () => {
    assert.deepEqual(problems, []);
  });
});
