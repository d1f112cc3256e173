import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createProxy } from '@connector-proxy/server';
import { StateSealer, STATE_LIFETIME_MS } from '../src/oauth/flow-state.js';
import { startAuthorizationServer, type AuthorizationServer } from './fixtures/oauth-authorization-server.js';
import { CLIENT_ID, CLIENT_SECRET, localProvider, providersFile, SECRET_KEY, startOAuthProxy, type OAuthProxy } from './fixtures/oauth-proxy.js';

const SPIFF = 'https://spiff.example.com';
const PUBLIC_URL = 'https://proxy.example.com';
const API_KEY = 'proxy-api-key';
/** As SpiffArena's Authentications page builds it: the engine's callback, its own query holding the user's token. */
const RETURN_URL = `${SPIFF}/v1.0/authentication_callback/local/OAuth?token=eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl`;
/** What a state sealed by a test holds. */
const flow = { provider: 'local', redirectUrl: RETURN_URL, verifier: 'v'.repeat(43), redirectUri: `${PUBLIC_URL}/v1/auth/local/OAuth/callback` };

describe('OAuth connections: the browser routes', () => {
  let auth: AuthorizationServer;
  let setup: OAuthProxy;
  let proxyUrl: string;

  before(async () => {
    auth = await startAuthorizationServer({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    setup = await startOAuthProxy(auth, SPIFF, { CONNECTOR_PROXY_PUBLIC_URL: PUBLIC_URL, CONNECTOR_PROXY_API_KEY: API_KEY });
    proxyUrl = setup.proxy.url;
  });
  after(async () => {
    await setup.close();
    await auth.close();
  });

  /** GET on the proxy without following redirects, and without the API key (as a browser). */
  async function browse(path: string): Promise<{ status: number; location: string | null; text: string; headers: Headers }> {
    const response = await fetch(`${proxyUrl}${path}`, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    return { status: response.status, location: response.headers.get('location'), text: await response.text(), headers: response.headers };
  }

  function startPath(redirectUrl: string): string {
    return `/v1/auth/local/OAuth?redirect_url=${encodeURIComponent(redirectUrl)}`;
  }

  /** Starts a connection and lets the provider answer `decision`; gives the proxy callback path the provider sent the browser to. */
  async function consent(decision: 'allow' | 'deny'): Promise<string> {
    const started = await browse(startPath(RETURN_URL));
    assert.equal(started.status, 302);
    const authorize = new URL(started.location as string);
    const decided = await fetch(`${auth.url}/authorize/decide?${authorize.searchParams}&decision=${decision}`, { redirect: 'manual' });
    const callback = new URL(decided.headers.get('location') as string);
    assert.equal(callback.origin, PUBLIC_URL, 'the provider sends the browser to the public URL');
    return `${callback.pathname}${callback.search}`;
  }

  function assertErrorPage(answer: { status: number; location: string | null; text: string; headers: Headers }, status: number, code: string): void {
    assert.equal(answer.status, status, answer.text);
    assert.equal(answer.location, null, 'nobody is sent anywhere');
    assert.match(answer.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
    assert.match(answer.text, new RegExp(`<code id="error-code">${code}</code>`));
  }

  test('GET /v1/auths lists each provider as <id>/OAuth, behind the API key', async () => {
    const listed = await fetch(`${proxyUrl}/v1/auths`, { headers: { 'spiff-connector-proxy-api-key': API_KEY } });
    assert.equal(listed.status, 200);
    assert.deepEqual(await listed.json(), [{ id: 'local/OAuth', parameters: [] }]);
    assert.equal((await fetch(`${proxyUrl}/v1/auths`)).status, 401);
  });

  test('the start sends the browser to the provider with client_id, scope, the public callback, PKCE S256 and a state', async () => {
    const started = await browse(startPath(RETURN_URL));
    assert.equal(started.status, 302, 'no API key is needed on the browser routes');
    assert.equal(started.headers.get('cache-control'), 'no-store');
    const authorize = new URL(started.location as string);
    assert.equal(`${authorize.origin}${authorize.pathname}`, auth.authorizeUrl);
    const query = authorize.searchParams;
    assert.equal(query.get('client_id'), CLIENT_ID);
    assert.equal(query.get('response_type'), 'code');
    assert.equal(query.get('scope'), 'read profile');
    assert.equal(query.get('redirect_uri'), `${PUBLIC_URL}/v1/auth/local/OAuth/callback`);
    assert.equal(query.get('code_challenge_method'), 'S256');
    assert.match(query.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.ok((query.get('state') ?? '').length >= 40);
    assert.doesNotMatch(started.location as string, /client-secret|eyJzdWIiOi/, 'neither the client secret nor the engine token goes to the provider');
    const again = new URL((await browse(startPath(RETURN_URL))).location as string);
    assert.notEqual(again.searchParams.get('state'), query.get('state'), 'each start has its own state');
    assert.notEqual(again.searchParams.get('code_challenge'), query.get('code_challenge'));
  });

  test('the callback exchanges the code and sends the browser back with the token set added to redirect_url\'s own query', async () => {
    const callbackPath = await consent('allow');
    const finished = await browse(callbackPath);
    assert.equal(finished.status, 302, finished.text);
    const back = finished.location as string;
    assert.ok(back.startsWith(`${RETURN_URL}&response=`), back);
    const tokenSet = JSON.parse(new URL(back).searchParams.get('response') as string) as Record<string, unknown>;
    assert.match(String(tokenSet.access_token), /^at-/);
    assert.match(String(tokenSet.refresh_token), /^rt-/);
    assert.equal(tokenSet.token_type, 'Bearer');
    const expiresAt = Number(tokenSet.expires_at);
    assert.ok(Math.abs(expiresAt - (Date.now() / 1000 + 3600)) < 60, 'expires_at is added from expires_in');
    assert.doesNotMatch(back, new RegExp(CLIENT_SECRET));
    const exchange = auth.tokenRequests.at(-1) as URLSearchParams;
    assert.equal(exchange.get('grant_type'), 'authorization_code');
    assert.equal(exchange.get('redirect_uri'), `${PUBLIC_URL}/v1/auth/local/OAuth/callback`);
    assert.match(exchange.get('code_verifier') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.doesNotMatch(setup.logs.text, new RegExp(`${String(tokenSet.access_token)}|${String(tokenSet.refresh_token)}|${CLIENT_SECRET}`));
  });

  test('a state is used once: the same callback again is refused and sends nobody anywhere', async () => {
    const callbackPath = await consent('allow');
    assert.equal((await browse(callbackPath)).status, 302);
    const exchanges = auth.tokenRequests.length;
    assertErrorPage(await browse(callbackPath), 400, 'oauth_state_used');
    assert.equal(auth.tokenRequests.length, exchanges, 'no second exchange');
  });

  test('a redirect_url outside CONNECTOR_PROXY_OAUTH_REDIRECT_ALLOW is a 400, and the provider is never asked', async () => {
    const asked = auth.authorizeRequests.length;
    for (const elsewhere of [
      'https://evil.example.com/v1.0/authentication_callback/local/OAuth?token=x',
      'https://spiff.example.com.evil.example/cb',
      'https://spiff.example.com@evil.example/cb',
      'http://spiff.example.com/cb',
      'https://spiff.example.com:8443/cb',
      'javascript:alert(1)',
      '/relative/path',
    ]) {
      assertErrorPage(await browse(startPath(elsewhere)), 400, 'oauth_redirect_not_allowed');
    }
    assertErrorPage(await browse('/v1/auth/local/OAuth'), 400, 'oauth_redirect_missing');
    assert.equal(auth.authorizeRequests.length, asked);
  });

  test('a forged, altered or misplaced state is refused before any token request', async () => {
    const exchanges = auth.tokenRequests.length;
    assertErrorPage(await browse('/v1/auth/local/OAuth/callback?code=abc&state=bm90LWEtc3RhdGUtYXQtYWxsLWp1c3QtYnl0ZXMtYW5kLW1vcmUtYnl0ZXM'), 400, 'oauth_state_invalid');
    assertErrorPage(await browse('/v1/auth/local/OAuth/callback?code=abc'), 400, 'oauth_state_invalid');
    const genuine = new URL(`https://x${await consent('allow')}`).searchParams;
    const state = genuine.get('state') as string;
    const flipped = `${state.slice(0, 20)}${state[20] === 'A' ? 'B' : 'A'}${state.slice(21)}`;
    assertErrorPage(await browse(`/v1/auth/local/OAuth/callback?code=${genuine.get('code')}&state=${flipped}`), 400, 'oauth_state_invalid');
    // Sealed with another key: as a state made by a proxy that is not this one.
    const foreign = new StateSealer(Buffer.from('b2'.repeat(32), 'hex')).create(flow).sealed;
    assertErrorPage(await browse(`/v1/auth/local/OAuth/callback?code=${genuine.get('code')}&state=${foreign}`), 400, 'oauth_state_invalid');
    assert.equal(auth.tokenRequests.length, exchanges);
  });

  test('a state older than 10 minutes is refused as expired', async () => {
    const sealer = new StateSealer(Buffer.from(SECRET_KEY, 'hex'));
    const old = sealer.create(flow, Date.now() - STATE_LIFETIME_MS - 1000).sealed;
    assertErrorPage(await browse(`/v1/auth/local/OAuth/callback?code=abc&state=${old}`), 400, 'oauth_state_expired');
  });

  test("the provider's refusal (error=access_denied) is a page naming it, never a 500", async () => {
    const callbackPath = await consent('deny');
    const refused = await browse(callbackPath);
    assertErrorPage(refused, 400, 'oauth_provider_error');
    assert.match(refused.text, /access_denied/);
    // The refused state is spent too: it cannot be replayed with a code.
    assertErrorPage(await browse(`${callbackPath.replace('error=access_denied', 'code=abc')}`), 400, 'oauth_state_used');
  });

  test('markup in a provider error is never echoed into the page', async () => {
    const sealer = new StateSealer(Buffer.from(SECRET_KEY, 'hex'));
    const state = sealer.create(flow).sealed;
    const refused = await browse(`/v1/auth/local/OAuth/callback?state=${state}&error=%3Cscript%3Ealert(1)%3C%2Fscript%3E`);
    assertErrorPage(refused, 400, 'oauth_provider_error');
    assert.doesNotMatch(refused.text, /<script/);
  });

  test('a failed code exchange is a 502 page, and nobody is sent to SpiffArena', async () => {
    const callbackPath = await consent('allow');
    auth.failTokenRequests = true;
    try {
      const failed = await browse(callbackPath);
      assertErrorPage(failed, 502, 'oauth_exchange_failed');
      assert.match(failed.text, /invalid_grant/);
    } finally {
      auth.failTokenRequests = false;
    }
  });

  test('an unknown provider is a 404 page', async () => {
    assertErrorPage(await browse(`/v1/auth/nobody/OAuth?redirect_url=${encodeURIComponent(RETURN_URL)}`), 404, 'oauth_provider_not_found');
  });
});

describe('OAuth token requests under the egress policy', () => {
  let auth: AuthorizationServer;
  let setup: OAuthProxy;

  before(async () => {
    auth = await startAuthorizationServer({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    setup = await startOAuthProxy(auth, SPIFF, { CONNECTOR_PROXY_EGRESS_DENY: '127.0.0.0/8' });
  });
  after(async () => {
    await setup.close();
    await auth.close();
  });

  test('a token endpoint the policy denies is never contacted: the connection fails with a page', async () => {
    const started = await fetch(`${setup.proxy.url}/v1/auth/local/OAuth?redirect_url=${encodeURIComponent(RETURN_URL)}`, { redirect: 'manual' });
    const authorize = new URL(started.headers.get('location') as string);
    const decided = await fetch(`${auth.url}/authorize/decide?${authorize.searchParams}&decision=allow`, { redirect: 'manual' });
    const callback = new URL(decided.headers.get('location') as string);
    const finished = await fetch(`${setup.proxy.url}${callback.pathname}${callback.search}`, { redirect: 'manual' });
    const text = await finished.text();
    assert.equal(finished.status, 502);
    assert.match(text, /oauth_exchange_failed/);
    assert.match(text, /egress policy/);
    assert.equal(auth.tokenRequests.length, 0);
  });
});

describe('OAuth configuration', () => {
  const directory = mkdtempSync(join(tmpdir(), 'oauth-config-'));
  after(() => rmSync(directory, { recursive: true, force: true }));
  const base = {
    CONNECTOR_PROXY_OAUTH_REDIRECT_ALLOW: SPIFF,
    CONNECTOR_PROXY_SECRET_KEY: SECRET_KEY,
    LOCAL_CLIENT_SECRET: CLIENT_SECRET,
  };
  const fake = { authorizeUrl: 'https://id.example.com/authorize', tokenUrl: 'https://id.example.com/token' } as AuthorizationServer;

  async function refused(env: Record<string, string>, message: RegExp): Promise<void> {
    await assert.rejects(createProxy({ connectors: [], env: { CONNECTOR_PROXY_DATA_DIR: directory, ...env } }), (error: Error) => {
      assert.match(error.message, message);
      assert.doesNotMatch(error.message, new RegExp(CLIENT_SECRET));
      return true;
    });
  }

  test('a bad providers file stops the start, naming the variable and the problem', async () => {
    const file = (content: unknown) => ({ ...base, CONNECTOR_PROXY_OAUTH_PROVIDERS: providersFile(content, directory) });
    await refused({ ...base, CONNECTOR_PROXY_OAUTH_PROVIDERS: '/nonexistent/providers.json' }, /CONNECTOR_PROXY_OAUTH_PROVIDERS names \/nonexistent\/providers.json, which cannot be read \(ENOENT\)/);
    await refused(file('{"id": '), /CONNECTOR_PROXY_OAUTH_PROVIDERS .* not valid JSON/);
    await refused(file({ id: 'x' }), /CONNECTOR_PROXY_OAUTH_PROVIDERS .*expected an array/);
    const { token_url: _, ...noTokenUrl } = localProvider(fake);
    await refused(file([noTokenUrl]), /entry \/0\/token_url is wrong/);
    await refused(file([localProvider(fake, { scope: 'read' })]), /entry \/0\/scope is wrong/);
    await refused(file([localProvider(fake, { id: 'a/b' })]), /entry \/0\/id is wrong/);
    await refused(file([localProvider(fake), localProvider(fake)]), /two providers with id "local"/);
    await refused(file([localProvider(fake, { token_url: 'http://id.example.com/token' })]), /provider "local" has a token_url that is not an https: URL/);
    await refused(file([localProvider(fake, { client_secret: CLIENT_SECRET })]), /both client_secret and client_secret_env/);
    await refused(file([localProvider(fake, { client_secret_env: 'NOT_SET_ANYWHERE' })]), /takes its secret from NOT_SET_ANYWHERE, which is not set/);
    await refused(file([localProvider(fake, { authorize_params: { redirect_uri: 'https://evil.example' } })]), /sets redirect_uri in authorize_params/);
  });

  test('providers need the redirect allow list and the secret key; the allow list takes origins only', async () => {
    const providers = providersFile([localProvider(fake)], directory);
    await refused({ ...base, CONNECTOR_PROXY_OAUTH_PROVIDERS: providers, CONNECTOR_PROXY_OAUTH_REDIRECT_ALLOW: '' }, /CONNECTOR_PROXY_OAUTH_REDIRECT_ALLOW must list/);
    await refused({ ...base, CONNECTOR_PROXY_OAUTH_PROVIDERS: providers, CONNECTOR_PROXY_SECRET_KEY: '' }, /CONNECTOR_PROXY_SECRET_KEY must be set/);
    await refused({ ...base, CONNECTOR_PROXY_OAUTH_PROVIDERS: providers, CONNECTOR_PROXY_OAUTH_REDIRECT_ALLOW: 'https://spiff.example.com/v1.0' }, /not an origin/);
    await refused({ ...base, CONNECTOR_PROXY_PUBLIC_URL: 'https://proxy.example.com/?x=1' }, /CONNECTOR_PROXY_PUBLIC_URL must be/);
  });

  test('without providers, GET /v1/auths is an empty array and the browser routes do not exist', async () => {
    const proxy = await createProxy({ connectors: [], env: { CONNECTOR_PROXY_DATA_DIR: directory, CONNECTOR_PROXY_LOG_LEVEL: 'silent' } });
    try {
      const auths = await proxy.app.inject({ method: 'GET', url: '/v1/auths' });
      assert.equal(auths.statusCode, 200);
      assert.deepEqual(auths.json(), []);
      const start = await proxy.app.inject({ method: 'GET', url: '/v1/auth/local/OAuth?redirect_url=x' });
      assert.equal(start.statusCode, 404);
    } finally {
      await proxy.close();
    }
  });
});
