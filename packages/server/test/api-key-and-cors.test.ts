import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startProxy, type RunningProxy } from '@connector-proxy/server';
import { call } from './fixtures/proxy-client.js';
import { testConnector } from './fixtures/test-connector.js';

const KEY = 'correct horse battery staple';
const KEY_HEADER = 'Spiff-Connector-Proxy-Api-Key';

describe('with an API key', () => {
  let proxy: RunningProxy;
  before(async () => {
    proxy = await startProxy({ connectors: [testConnector], env: { CONNECTOR_PROXY_API_KEY: KEY, CONNECTOR_PROXY_LOG_LEVEL: 'silent' } });
  });
  after(() => proxy.close());

  const protectedCalls: Array<[string, unknown?]> = [['/v1/commands'], ['/v1/auths'], ['/v1/do/test/Echo', { message: 'hi' }]];

  test('protected routes answer 401 with an error envelope without the key or with a wrong one', async () => {
    const attempts: Array<Record<string, string>> = [{}, { [KEY_HEADER]: 'wrong' }, { [KEY_HEADER]: `${KEY}x` }, { [KEY_HEADER]: '' }];
    for (const headers of attempts) {
      for (const [path, body] of protectedCalls) {
        const { status, json } = await call(proxy.url, path, { body, headers });
        assert.equal(status, 401, `${path} with ${JSON.stringify(headers)}`);
        assert.equal(json.error?.error_code, 'unauthorized');
      }
    }
  });

  test('the right key opens every protected route', async () => {
    for (const [path, body] of protectedCalls) {
      const { status } = await call(proxy.url, path, { body, headers: { [KEY_HEADER]: KEY } });
      assert.equal(status, 200, path);
    }
  });

  test('the key is checked before anything is revealed: an unknown command is a 401, not a 404', async () => {
    const { status } = await call(proxy.url, '/v1/do/nope/Nothing', { body: {} });
    assert.equal(status, 401);
    const { status: unknownRoute } = await call(proxy.url, '/v2/secret-route');
    assert.equal(unknownRoute, 401);
  });

  test('liveness and the root stay open', async () => {
    for (const path of ['/liveness', '/v1/liveness', '/']) {
      const { status } = await call(proxy.url, path);
      assert.equal(status, 200, path);
    }
  });

  test('CORS preflight stays open and allows the key header', async () => {
    const response = await fetch(`${proxy.url}/v1/do/test/Echo`, {
      method: 'OPTIONS',
      headers: { origin: 'https://editor.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,spiff-connector-proxy-api-key' },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    assert.match(allowed, /content-type/);
    assert.match(allowed, /spiff-connector-proxy-api-key/);
  });
});

describe('with a list of CORS origins', () => {
  let proxy: RunningProxy;
  before(async () => {
    proxy = await startProxy({ connectors: [testConnector], env: { CONNECTOR_PROXY_CORS_ORIGINS: 'https://a.example, https://b.example', CONNECTOR_PROXY_LOG_LEVEL: 'silent' } });
  });
  after(() => proxy.close());

  test('only listed origins are echoed', async () => {
    const listed = await fetch(`${proxy.url}/v1/commands`, { headers: { origin: 'https://b.example' } });
    assert.equal(listed.headers.get('access-control-allow-origin'), 'https://b.example');
    const other = await fetch(`${proxy.url}/v1/commands`, { headers: { origin: 'https://evil.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  test('an answer whose body went on as chunks of bytes, small or large, carries the CORS and Retry-After headers and its exact length', async () => {
    for (const [fail, padding] of [[false, 0], [true, 0], [false, 100_000], [true, 100_000]] as const) {
      const response = await fetch(`${proxy.url}/v1/do/test/RawChunks`, {
        method: 'POST',
        headers: { origin: 'https://a.example', 'content-type': 'application/json' },
        body: JSON.stringify({ fail, padding }),
      });
      const bytes = Buffer.from(await response.arrayBuffer());
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('access-control-allow-origin'), 'https://a.example');
      assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.equal(response.headers.get('content-length'), String(bytes.length));
      assert.equal(response.headers.get('retry-after'), fail ? '7' : null);
      const envelope = JSON.parse(bytes.toString('utf8'));
      assert.deepEqual(envelope.command_response.body, { greeting: 'héllo', padding: '.'.repeat(padding) });
      assert.equal(envelope.command_response.http_status, fail ? 429 : 200);
      assert.equal(envelope.error?.error_code ?? null, fail ? 'Upstream429' : null);
    }
  });

  test('preflight from a listed origin is allowed', async () => {
    const response = await fetch(`${proxy.url}/v1/do/test/Echo`, {
      method: 'OPTIONS',
      headers: { origin: 'https://a.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), 'https://a.example');
  });
});

describe('without an API key', () => {
  test('every route is open', async () => {
    const proxy = await startProxy({ connectors: [testConnector], env: { CONNECTOR_PROXY_LOG_LEVEL: 'silent' } });
    try {
      const { status } = await call(proxy.url, '/v1/commands');
      assert.equal(status, 200);
    } finally {
      await proxy.close();
    }
  });
});
