/**
 * The command explorer (`/explorer`) driven in Debian's Chromium by playwright-core, against a
 * real proxy and a local upstream. Needs /usr/bin/chromium: skipped with the reason printed
 * when it is absent, failed instead when CI=true. Screenshots go to packages/server/test-output/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import http from '@connector-proxy/connector-http';
import { startProxy, type RunningProxy } from '@connector-proxy/server';
import { CallbackReceiver } from './fixtures/callback-receiver.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const OUTPUT = fileURLToPath(new URL('../test-output/', import.meta.url));
const KEY = 'explorer-test-key-7f3a';
const UNAUTHORIZED_MESSAGE = 'Missing or wrong Spiff-Connector-Proxy-Api-Key header';

const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (apt-get install chromium)`;
if (missing !== undefined) {
  if (process.env.CI === 'true') throw new Error(`${missing}: the explorer's browser tests cannot run in CI without it`);
  console.log(`skipping the explorer's browser tests: ${missing}`);
}

/** A third party answering JSON on 127.0.0.1. */
async function startUpstream(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify({ greeting: 'hello from the upstream', path: request.url, items: [1, 2, 3] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('the explorer page', () => {
  let proxy: RunningProxy;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let receiver: CallbackReceiver;
  let dataDir: string;

  before(async () => {
    upstream = await startUpstream();
    receiver = await CallbackReceiver.start();
    dataDir = mkdtempSync(path.join(tmpdir(), 'connector-proxy-explorer-'));
    proxy = await startProxy({ connectors: [http], env: { CONNECTOR_PROXY_LOG_LEVEL: 'silent', CONNECTOR_PROXY_API_KEY: KEY, CONNECTOR_PROXY_DATA_DIR: dataDir } });
  });
  after(async () => {
    await proxy?.close();
    await receiver?.close();
    await upstream?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('is served without the key, with a strict Content-Security-Policy and no inline script or style', async () => {
    const page = await fetch(`${proxy.url}/explorer`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
    const html = await page.text();
    assert.doesNotMatch(html, /<script>|<style|\sstyle=|\son[a-z]+=|https?:\/\//, 'no inline script, inline style, handler attribute or remote resource');
    const script = await fetch(`${proxy.url}/explorer/explorer.js`);
    assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
    const etag = script.headers.get('etag') ?? '';
    assert.equal((await fetch(`${proxy.url}/explorer/explorer.js`, { headers: { 'if-none-match': etag } })).status, 304);
    const other = await fetch(`${proxy.url}/explorer/nothing.js`);
    assert.equal(other.status, 404, 'only the files are served');
    assert.equal(((await other.json()) as { error: { error_code: string } }).error.error_code, 'route_not_found');
  });

  test('/ answers JSON to programs and a page linking to the explorer to browsers', async () => {
    const json = await fetch(`${proxy.url}/`, { headers: { accept: 'application/json' } });
    assert.equal(((await json.json()) as { commands: string }).commands, '/v1/commands');
    const curl = await fetch(`${proxy.url}/`, { headers: { accept: '*/*' } });
    assert.match(curl.headers.get('content-type') ?? '', /^application\/json/);
    const html = await fetch(`${proxy.url}/`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    assert.equal(html.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(await html.text(), /<a href="\/explorer">/);
  });

  describe('in Chromium', { skip: missing ?? false }, () => {
    let context: BrowserContext;
    let page: Page;
    let profile: string;
    const cspViolations: string[] = [];

    before(async () => {
      profile = mkdtempSync(path.join(tmpdir(), 'connector-proxy-chromium-'));
      context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1280, height: 900 } });
      page = context.pages()[0] ?? (await context.newPage());
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
      });
      mkdirSync(OUTPUT, { recursive: true });
    });
    after(async () => {
      await context?.close();
      if (profile) rmSync(profile, { recursive: true, force: true });
    });

    test('without the key it shows the 401 message; with it, it lists the commands', async () => {
      await page.goto(`${proxy.url}/explorer`);
      await page.locator('#banner').getByText(UNAUTHORIZED_MESSAGE).waitFor();
      assert.match(await page.locator('#banner').innerText(), /401/);
      await page.fill('#api-key', KEY);
      await page.click('#key-form button');
      await page.locator('a[data-command="http/GetRequestV2"]').waitFor();
      assert.equal(await page.locator('#banner').isHidden(), true);
      assert.equal(await page.evaluate("sessionStorage.getItem('connector-proxy.api-key')"), KEY);
      assert.equal(await page.evaluate('localStorage.length'), 0, 'the key is kept in sessionStorage only');
      assert.deepEqual(await context.cookies(), []);
    });

    test('runs http/GetRequestV2 against a local upstream and shows status, duration, logs and the body', async () => {
      await page.click('a[data-command="http/GetRequestV2"]');
      await page.locator('h2.command-id', { hasText: 'http/GetRequestV2' }).waitFor();
      // Typed inputs from the schema: a text input for str, a select for bool, a JSON editor for any.
      assert.equal(await page.locator('#field-url').getAttribute('type'), 'text');
      assert.equal(await page.locator('#field-run_async').evaluate((element) => element.tagName), 'SELECT');
      assert.equal(await page.locator('#field-headers').evaluate((element) => element.tagName), 'TEXTAREA');
      assert.equal(await page.locator('#field-basic_auth_password').getAttribute('type'), 'password');

      await page.fill('#field-headers', '{"Accept": ');
      await page.locator('.field-error', { hasText: 'not valid JSON' }).waitFor();
      await page.fill('#field-headers', '{"Accept": "application/json"}');
      await page.fill('#field-url', `${upstream.url}/greeting`);
      await page.fill('#field-params', '{"lang": "en"}');
      await page.click('#run');
      await page.locator('#answer-status', { hasText: '200' }).waitFor();
      const body = JSON.parse(await page.locator('#answer-body').innerText()) as Record<string, unknown>;
      assert.deepEqual(body, { greeting: 'hello from the upstream', path: '/greeting?lang=en', items: [1, 2, 3] });
      assert.match(await page.locator('.status-line .duration').innerText(), /^\d+ ms$/);
      assert.match(await page.locator('#answer-logs').innerText(), /GET http:\/\/127\.0\.0\.1:\d+\/greeting\?lang=\[Redacted\] -> 200/);
      const envelope = JSON.parse(await page.locator('#answer-envelope').innerText()) as Record<string, unknown>;
      assert.equal(envelope.command_response_version, 2);
      assert.equal(envelope.error, null);
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: path.join(OUTPUT, 'explorer-get-request.png'), fullPage: true });
    });

    test('a call with a wrong key shows the 401 message', async () => {
      await page.fill('#api-key', 'not-the-key');
      await page.click('#key-form button');
      await page.locator('#banner').getByText(UNAUTHORIZED_MESSAGE).waitFor();
      await page.click('#run');
      await page.locator('#answer-status', { hasText: '401' }).waitFor();
      assert.match(await page.locator('#answer-error').innerText(), new RegExp(`unauthorized\\s+${UNAUTHORIZED_MESSAGE}`));
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: path.join(OUTPUT, 'explorer-wrong-key.png'), fullPage: true });
      await page.fill('#api-key', KEY);
      await page.click('#key-form button');
      await page.locator('#banner').waitFor({ state: 'hidden' });
    });

    test('a background call shows up in the jobs view with its state and attempts', async () => {
      await page.selectOption('#field-run_async', 'true');
      await page.fill('#field-spiff__callback_url', receiver.url('/explorer-job'));
      await page.click('#run');
      await page.locator('#answer-status', { hasText: '202' }).waitFor();
      const jobId = (JSON.parse(await page.locator('#answer-body').innerText()) as { job_id: string }).job_id;
      await receiver.delivery('/explorer-job');
      await page.click('#nav-jobs');
      const row = page.locator('table.jobs tbody tr', { has: page.locator(`td[title="${jobId}"]`) });
      for (let tries = 0; tries < 50 && !(await row.locator('.state-delivered').isVisible()); tries += 1) {
        await page.click('.jobs-controls button');
        await page.waitForTimeout(100);
      }
      const cells = await row.locator('td').allInnerTexts();
      assert.deepEqual(cells.slice(1, 5), ['http/GetRequestV2', 'delivered', '1', '1']);
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: path.join(OUTPUT, 'explorer-jobs.png'), fullPage: true });
      assert.deepEqual(cspViolations, [], 'the page breaks none of its own policy');
    });
  });
});
