import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { RunningProxy } from '@connector-proxy/server';
import { callCommand, startHttpProxy } from './http-proxy.js';
import { answerJson, freePort, startUpstream, type Upstream } from './upstream-server.js';

const ATTEMPT_LINE = /^INFO (GET|PUT|POST|DELETE) \S+ -> (\d{3}|[A-Za-z_]+) \(\d+ ms\)$/;

describe('attempts: retries of idempotent requests', () => {
  let proxy: RunningProxy;
  let deadlineProxy: RunningProxy;
  let upstream: Upstream;

  before(async () => {
    // Per path: how many 503s come before a 200 ('/always-503': every time; '/404': a 404 every time).
    upstream = await startUpstream((request, response) => {
      const path = request.url.split('?')[0]!;
      const calls = upstream.seen.filter((seen) => seen.url.split('?')[0] === path).length;
      if (path === '/404') return answerJson(response, 404, { error: 'missing' });
      if (path === '/always-503' || (path === '/flaky' && calls <= 2)) return answerJson(response, 503, { error: 'busy' });
      answerJson(response, 200, { ok: true, calls });
    });
    proxy = await startHttpProxy({ CONNECTOR_PROXY_HTTP_TIMEOUT_MS: '1000' });
    deadlineProxy = await startHttpProxy({ CONNECTOR_PROXY_COMMAND_TIMEOUT_MS: '700' });
  });
  after(async () => {
    await proxy.close();
    await deadlineProxy.close();
    await upstream.close();
  });

  const callsTo = (path: string) => upstream.seen.filter((seen) => seen.url.split('?')[0] === path).length;

  test('a server failing twice with 503 then answering 200 succeeds on the third attempt', async () => {
    const { status, envelope } = await callCommand(proxy, 'GetRequest', { url: `${upstream.url}/flaky`, attempts: 3 });
    assert.equal(status, 200);
    assert.equal(envelope.error, null);
    assert.deepEqual(envelope.command_response.body, { ok: true, calls: 3 });
    assert.equal(callsTo('/flaky'), 3);
    const attemptLines = envelope.spiff__logs.filter((line) => ATTEMPT_LINE.test(line));
    assert.deepEqual(attemptLines.map((line) => ATTEMPT_LINE.exec(line)?.[2]), ['503', '503', '200']);
    assert.equal(envelope.spiff__logs.filter((line) => line.includes('retrying in')).length, 2);
  });

  test('when every attempt fails, the last failure is the answer', async () => {
    const { envelope } = await callCommand(proxy, 'PutRequest', { url: `${upstream.url}/always-503`, attempts: 2, data: { a: 1 } });
    assert.equal(envelope.error?.error_code, 'HttpError503');
    assert.deepEqual(envelope.command_response.body, { error: 'busy' });
    assert.equal(callsTo('/always-503'), 2);
  });

  test('a refused connection is tried again, up to attempts', async () => {
    const port = await freePort();
    const { envelope } = await callCommand(proxy, 'DeleteRequest', { url: `http://127.0.0.1:${port}/x`, attempts: 3 });
    assert.equal(envelope.error?.error_code, 'ConnectionRefused');
    assert.equal(envelope.command_response.http_status, 502);
    const outcomes = envelope.spiff__logs.map((line) => ATTEMPT_LINE.exec(line)?.[2]).filter(Boolean);
    assert.deepEqual(outcomes, ['ConnectionRefused', 'ConnectionRefused', 'ConnectionRefused']);
  });

  test('a 4xx answer is not retried', async () => {
    const { envelope } = await callCommand(proxy, 'GetRequest', { url: `${upstream.url}/404`, attempts: 5 });
    assert.equal(envelope.error?.error_code, 'HttpError404');
    assert.equal(callsTo('/404'), 1);
  });

  test('POST and PATCH are never retried: they take no attempts', async () => {
    const before = callsTo('/always-503');
    for (const command of ['PostRequest', 'PatchRequest']) {
      const { envelope } = await callCommand(proxy, command, { url: `${upstream.url}/always-503`, data: { a: 1 }, attempts: 3 });
      assert.equal(envelope.error?.error_code, 'HttpError503');
    }
    assert.equal(callsTo('/always-503') - before, 2, 'one call each');
    const listing = (await (await fetch(`${proxy.url}/v1/commands`)).json()) as Array<{ id: string; parameters: Array<{ id: string }> }>;
    const takesAttempts = listing.filter((c) => c.parameters.some((p) => p.id === 'attempts')).map((c) => c.id).sort();
    assert.deepEqual(takesAttempts, [
      'http/DeleteRequest',
      'http/DeleteRequestV2',
      'http/GetRequest',
      'http/GetRequestV2',
      'http/HeadRequest',
      'http/HeadRequestV2',
      'http/PutRequest',
      'http/PutRequestV2',
    ]);
  });

  test('attempts outside 1–10 is a 400', async () => {
    for (const attempts of [0, 11]) {
      const { status, envelope } = await callCommand(proxy, 'GetRequest', { url: upstream.url, attempts });
      assert.equal(status, 400);
      assert.match(envelope.error?.message ?? '', /attempts/);
    }
  });

  test('retries stop at the command deadline', async () => {
    const before = callsTo('/always-503');
    await callCommand(deadlineProxy, 'GetRequest', { url: `${upstream.url}/always-503`, attempts: 10 });
    await sleep(1_000); // time for the attempts that must not happen
    const calls = callsTo('/always-503') - before;
    assert.ok(calls >= 2 && calls <= 4, `${calls} calls within a 700 ms deadline`);
  });
});
