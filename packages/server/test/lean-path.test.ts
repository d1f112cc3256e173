/**
 * The engine's usual call is answered on node:http without Fastify (lean-do-path.ts); a call
 * with an Origin header (a browser's) goes through Fastify. Whichever way a call takes, the
 * caller must see the same answer, the same checks, the same log line and the same metrics.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startProxy, type RunningProxy } from '@connector-proxy/server';
import { LogCapture } from '@connector-proxy/server/testing';
import { testConnector } from './fixtures/test-connector.js';

const KEY = 'lean path key';
const KEY_HEADER = 'spiff-connector-proxy-api-key';
/** A browser's call: Fastify answers it (CORS is for browsers). */
const VIA_FASTIFY = { origin: 'https://editor.example' };
const VIA_LEAN_PATH = {};

interface Answer {
  status: number;
  contentType: string | null;
  allowOrigin: string | null;
  retryAfter: string | null;
  json: Record<string, unknown>;
}

async function post(url: string, path: string, body: string, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', [KEY_HEADER]: KEY, ...headers }, body });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    allowOrigin: response.headers.get('access-control-allow-origin'),
    retryAfter: response.headers.get('retry-after'),
    json: (await response.json()) as Record<string, unknown>,
  };
}

describe('the lean path and Fastify answer a call alike', () => {
  let proxy: RunningProxy;
  const logs = new LogCapture();
  before(async () => {
    proxy = await startProxy({ connectors: [testConnector], logStream: logs, env: { CONNECTOR_PROXY_API_KEY: KEY, CONNECTOR_PROXY_LOG_LEVEL: 'info' } });
  });
  after(() => proxy.close());

  const cases: Array<[string, string, string]> = [
    ['a call that runs', '/v1/do/test/Echo', JSON.stringify({ message: 'hi', times: '2', spiff__task_id: 't-1' })],
    ['bad parameters', '/v1/do/test/Echo', JSON.stringify({ times: 9 })],
    ["a third party's failure with Retry-After", '/v1/do/test/Fail', JSON.stringify({ status: 429 })],
    ['an unknown command', '/v1/do/test/Nothing', '{}'],
    ['a body that is not JSON', '/v1/do/test/Echo', '{"message": '],
    ['a body that is not an object', '/v1/do/test/Echo', '[1, 2]'],
    ['a __proto__ key', '/v1/do/test/Echo', '{"message": "x", "__proto__": {"polluted": true}}'],
    ['a bug in the command', '/v1/do/test/Crash', '{}'],
  ];
  for (const [what, path, body] of cases) {
    test(what, async () => {
      const lean = await post(proxy.url, path, body, VIA_LEAN_PATH);
      const viaFastify = await post(proxy.url, path, body, VIA_FASTIFY);
      assert.equal(lean.status, viaFastify.status);
      assert.equal(lean.contentType, 'application/json; charset=utf-8');
      assert.equal(viaFastify.contentType, lean.contentType);
      assert.equal(lean.retryAfter, viaFastify.retryAfter);
      // CORS's header for a call without Origin, as @fastify/cors writes it with no origin list.
      assert.equal(lean.allowOrigin, '*');
      assert.equal(viaFastify.allowOrigin, '*');
      // A bug's message names the request id, which differs from call to call.
      const withoutRequestId = (json: Record<string, unknown>): string => JSON.stringify(json).replace(/req-[0-9a-z]+/g, 'req-?');
      assert.equal(withoutRequestId(lean.json), withoutRequestId(viaFastify.json));
    });
  }

  test('without the key, or with a wrong one, the call is refused and nothing runs', async () => {
    for (const key of ['', 'wrong']) {
      const response = await fetch(`${proxy.url}/v1/do/test/Echo`, { method: 'POST', headers: { 'content-type': 'application/json', [KEY_HEADER]: key }, body: '{"message":"hi"}' });
      assert.equal(response.status, 401);
      assert.equal(((await response.json()) as { error: { error_code: string } }).error.error_code, 'unauthorized');
    }
  });

  test('each call writes one log line with its own request id, and is counted in /metrics', async () => {
    const before = logs.records().filter((line) => line.msg === 'command call').length;
    await post(proxy.url, '/v1/do/test/Echo', '{"message":"counted"}', VIA_LEAN_PATH);
    await post(proxy.url, '/v1/do/test/Echo', '{"message":"counted"}', VIA_FASTIFY);
    const lines = logs.records().filter((line) => line.msg === 'command call').slice(before);
    assert.equal(lines.length, 2);
    for (const line of lines) {
      assert.equal(line.command, 'test/Echo');
      assert.equal(line.outcome, 'ok');
      assert.match(String(line.reqId), /^req-[0-9a-z]+$/);
    }
    assert.notEqual(lines[0]?.reqId, lines[1]?.reqId);
    const metrics = await (await fetch(`${proxy.url}/metrics`, { headers: { [KEY_HEADER]: KEY } })).text();
    const okCalls = /connector_proxy_calls_total\{command="test\/Echo",outcome="ok"\} (\d+)/.exec(metrics);
    assert.ok(Number(okCalls?.[1]) >= 2, metrics);
  });
});
