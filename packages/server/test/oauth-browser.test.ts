/**
 * The whole OAuth connection as a person makes it, in Debian's Chromium: SpiffArena's
 * Authentications page, the proxy, the provider's consent page, back to SpiffArena, which
 * stores the token set; then a service task call made with that stored set.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { callCommand } from '@connector-proxy/server/testing';
import { startAuthorizationServer, type AuthorizationServer } from './fixtures/oauth-authorization-server.js';
import { CLIENT_ID, CLIENT_SECRET, startOAuthProxy, type OAuthProxy } from './fixtures/oauth-proxy.js';
import { startSpiffArena, type SpiffArenaStandIn } from './fixtures/spiffarena-stand-in.js';

const CHROMIUM = '/usr/bin/chromium';
const API_KEY = 'browser-test-key';
const USER_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl';
const chromiumMissing = !existsSync(CHROMIUM);
// On a laptop without Chromium the suite is skipped, saying why; in CI a missing browser fails it.
const skip = chromiumMissing && process.env.CI !== 'true' ? `${CHROMIUM} is not installed (apt-get install chromium)` : false;

describe('an OAuth connection made in a real browser', { skip }, () => {
  let auth: AuthorizationServer;
  let spiff: SpiffArenaStandIn;
  let setup: OAuthProxy;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  /** Every request the browser made to the proxy's callback. */
  const callbacks: string[] = [];

  before(async () => {
    assert.ok(!chromiumMissing, `${CHROMIUM} is missing: the browser test cannot run (CI=true)`);
    auth = await startAuthorizationServer({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    spiff = await startSpiffArena(USER_TOKEN, API_KEY);
    setup = await startOAuthProxy(auth, spiff.url, { CONNECTOR_PROXY_API_KEY: API_KEY });
    spiff.useProxy(setup.proxy.url);
    profile = mkdtempSync(join(tmpdir(), 'oauth-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 30_000,
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(15_000);
    page.on('request', (request) => {
      if (request.url().includes('/OAuth/callback')) callbacks.push(request.url());
    });
  });
  after(async () => {
    await browser?.close();
    await setup?.close();
    await spiff?.close();
    await auth?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function startFromAuthenticationsPage(): Promise<void> {
    await page.goto(`${spiff.url}/configuration/authentications`);
    await page.getByRole('link', { name: 'local/OAuth' }).click();
    await page.getByRole('button', { name: 'Allow' }).waitFor();
  }

  test('Authentications page → provider consent → SpiffArena stores the token set, and a service task uses it', async () => {
    await startFromAuthenticationsPage();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${spiff.url}/configuration`);
    assert.equal(await page.locator('#configuration').textContent(), 'Configuration');
    const stored = spiff.secrets.get('local/OAuth');
    assert.ok(stored !== undefined, 'SpiffArena stored the secret local/OAuth');
    const tokenSet = JSON.parse(stored) as Record<string, unknown>;
    assert.match(String(tokenSet.access_token), /^at-/);
    assert.match(String(tokenSet.refresh_token), /^rt-/);
    assert.equal(typeof tokenSet.expires_at, 'number');
    assert.doesNotMatch(stored, new RegExp(CLIENT_SECRET));

    // What a service task does next: pass the stored secret as oauth_token_set.
    const answer = await callCommand(
      setup.proxy.url,
      'http/GetRequest',
      { url: auth.apiUrl, oauth_provider: 'local/OAuth', oauth_token_set: stored },
      { 'spiff-connector-proxy-api-key': API_KEY },
    );
    assert.equal(answer.envelope.error, null, JSON.stringify(answer.envelope.error));
    assert.deepEqual(answer.envelope.command_response.body, { login: 'ada' });
    assert.equal(auth.apiTokens.at(-1), tokenSet.access_token);
  });

  test('the callback opened again (back button, a copied link) is refused and stores nothing', async () => {
    const used = callbacks.at(-1);
    assert.ok(used !== undefined, 'the first test went through the callback');
    const reached = spiff.callbackCount();
    const response = await page.goto(used);
    assert.equal(response?.status(), 400);
    assert.equal(await page.locator('#error-code').textContent(), 'oauth_state_used');
    assert.ok(page.url().startsWith(setup.proxy.url), 'the browser stays on the proxy');
    assert.equal(spiff.callbackCount(), reached);
  });

  test('denying consent ends on a page that says so; SpiffArena is not called', async () => {
    const reached = spiff.callbackCount();
    await startFromAuthenticationsPage();
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.locator('#error-code').waitFor();
    assert.equal(await page.locator('#error-code').textContent(), 'oauth_provider_error');
    assert.match((await page.locator('#message').textContent()) ?? '', /access_denied/);
    assert.equal(spiff.callbackCount(), reached);
  });

  test('a link whose redirect_url points elsewhere stops at the proxy', async () => {
    const elsewhere = spiff.url.replace('127.0.0.1', 'localhost');
    const response = await page.goto(`${setup.proxy.url}/v1/auth/local/OAuth?redirect_url=${elsewhere}/v1.0/authentication_callback/local/OAuth?token=${USER_TOKEN}`);
    assert.equal(response?.status(), 400);
    assert.equal(await page.locator('#error-code').textContent(), 'oauth_redirect_not_allowed');
    assert.ok(page.url().startsWith(setup.proxy.url));
  });
});
