import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningProxy } from '@connector-proxy/server';
import { pollUntil } from '@connector-proxy/server/testing';
import { callCommand, startHttpProxy } from './http-proxy.js';
import { answerJson, startUpstream, type SeenRequest, type Upstream } from './upstream-server.js';

const METHODS = { GetRequest: 'GET', HeadRequest: 'HEAD', PostRequest: 'POST', PutRequest: 'PUT', PatchRequest: 'PATCH', DeleteRequest: 'DELETE' };
const BODY_COMMANDS = new Set(['PostRequest', 'PutRequest', 'PatchRequest', 'DeleteRequest']);
const BASIC_ADA = `Basic ${Buffer.from('ada:s3cret').toString('base64')}`;

/** What of a request the third party would act on. */
const essentials = ({ method, url, headers, body }: SeenRequest) => ({
  method,
  url,
  body,
  authorization: headers.authorization,
  contentType: headers['content-type'],
  trace: headers['x-trace'],
});

describe("connector-http's V2 ids (http/GetRequestV2 ...)", () => {
  let proxy: RunningProxy;
  let upstream: Upstream;
  let receiver: Upstream;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'connector-http-v2-'));

  before(async () => {
    // A path starting with /flaky answers 503 to its first two calls, then 200; any other path 200.
    upstream = await startUpstream((request, response) => {
      if (request.url.startsWith('/flaky') && callsTo(request.url) <= 2) return answerJson(response, 503, { error: 'busy' });
      answerJson(response, 200, { ok: true, method: request.method });
    });
    // Plays the engine's callback endpoint: every PUT is recorded and answered 200.
    receiver = await startUpstream((_request, response) => response.writeHead(200).end());
    proxy = await startHttpProxy({ CONNECTOR_PROXY_DATA_DIR: dataDir, CONNECTOR_PROXY_CALLBACK_BASE_DELAY_MS: '20' });
  });
  after(async () => {
    await proxy.close();
    await Promise.all([upstream.close(), receiver.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const callsTo = (url: string) => upstream.seen.filter((seen) => seen.url === url).length;

  /** Calls `command` and gives its envelope and the one request the upstream saw for it. */
  async function sent(command: string, params: Record<string, unknown>) {
    const before = upstream.seen.length;
    const { status, envelope } = await callCommand(proxy, command, params);
    assert.equal(status, 200, `${command}: ${JSON.stringify(envelope.error)}`);
    assert.equal(upstream.seen.length, before + 1, command);
    return { envelope, request: upstream.seen[before]! };
  }

  test('each V2 id sends its method, query, body and basic auth, exactly as its seed id does', async () => {
    for (const [name, method] of Object.entries(METHODS)) {
      const params = {
        url: `${upstream.url}/things/7`,
        headers: { 'X-Trace': 'v2' },
        params: { page: 2, tag: ['a', 'b'] },
        basic_auth_username: 'ada',
        basic_auth_password: 's3cret',
        ...(BODY_COMMANDS.has(name) && { data: { name: 'Ada' } }),
      };
      const v2 = await sent(`${name}V2`, params);
      assert.deepEqual(essentials(v2.request), {
        method,
        url: '/things/7?page=2&tag=a&tag=b',
        body: BODY_COMMANDS.has(name) ? '{"name":"Ada"}' : '',
        authorization: BASIC_ADA,
        contentType: BODY_COMMANDS.has(name) ? 'application/json' : undefined,
        trace: 'v2',
      }, `${name}V2`);
      assert.equal(v2.envelope.command_response.http_status, 200);
      assert.deepEqual(v2.envelope.command_response.body, method === 'HEAD' ? { raw_response: '' } : { ok: true, method });

      const seed = await sent(name, params);
      assert.deepEqual(essentials(seed.request), essentials(v2.request), `${name} and ${name}V2 send the same request`);
      assert.deepEqual(seed.envelope.command_response, v2.envelope.command_response, `${name} and ${name}V2 answer the same`);
    }
  });

  test('GetRequestV2 tries again after 5xx answers, up to attempts; without attempts it tries once', async () => {
    const retried = await callCommand(proxy, 'GetRequestV2', { url: `${upstream.url}/flaky-retried`, attempts: 3 });
    assert.equal(retried.envelope.error, null, JSON.stringify(retried.envelope.error));
    assert.deepEqual(retried.envelope.command_response.body, { ok: true, method: 'GET' });
    assert.equal(callsTo('/flaky-retried'), 3, 'two 503s, then the 200');
    assert.equal(retried.envelope.spiff__logs.filter((line) => line.includes('retrying in')).length, 2);

    const once = await callCommand(proxy, 'GetRequestV2', { url: `${upstream.url}/flaky-once` });
    assert.equal(once.envelope.error?.error_code, 'HttpError503');
    assert.equal(once.envelope.command_response.http_status, 503);
    assert.equal(callsTo('/flaky-once'), 1);
  });

  test('the V2 ids take the same options as the seed ids: attempts is checked (1 to 10), body_format applies', async () => {
    for (const attempts of [0, 11]) {
      const { status, envelope } = await callCommand(proxy, 'GetRequestV2', { url: upstream.url, attempts });
      assert.equal(status, 400);
      assert.match(envelope.error?.message ?? '', /attempts/);
    }
    const form = await sent('PostRequestV2', { url: `${upstream.url}/form`, data: { a: 1, b: 'x y' }, body_format: 'form' });
    assert.equal(form.request.body, 'a=1&b=x+y');
    assert.equal(form.request.headers['content-type'], 'application/x-www-form-urlencoded');
  });

  test('each V2 id runs in the background with run_async: 202 at once, the envelope PUT to the callback', async () => {
    for (const [name, method] of Object.entries(METHODS)) {
      const callbackPath = `/callback/${name}V2`;
      const accepted = await callCommand(proxy, `${name}V2`, {
        url: `${upstream.url}/background/${name}`,
        run_async: true,
        spiff__callback_url: `${receiver.url}${callbackPath}`,
        ...(BODY_COMMANDS.has(name) && { data: { n: 1 } }),
      });
      assert.equal(accepted.status, 202, JSON.stringify(accepted.envelope));
      assert.equal(accepted.envelope.error, null);
      const { job_id: jobId } = accepted.envelope.command_response.body as { job_id: string };

      const delivery = await delivered(receiver, callbackPath);
      assert.equal(delivery.method, 'PUT');
      assert.equal(delivery.headers['idempotency-key'], jobId);
      const envelope = JSON.parse(delivery.body) as { command_response: { body: unknown; http_status: number }; error: unknown };
      assert.equal(envelope.error, null);
      assert.equal(envelope.command_response.http_status, 200);
      assert.deepEqual(envelope.command_response.body, method === 'HEAD' ? { raw_response: '' } : { ok: true, method });
      assert.ok(upstream.seen.some((seen) => seen.method === method && seen.url === `/background/${name}`), `${name}V2 ran`);
    }
  });
});

/** Waits (bounded) until `server` has received a request for `pathname`. */
function delivered(server: Upstream, pathname: string, timeoutMs = 10_000): Promise<SeenRequest> {
  return pollUntil(() => server.seen.find((seen) => seen.url === pathname), () => `no request for ${pathname} within ${timeoutMs} ms`, { timeoutMs });
}
