import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { startProxy, type RunningProxy } from '@connector-proxy/server';
import { CallbackReceiver } from './fixtures/callback-receiver.js';
import { call, type Answer } from './fixtures/proxy-client.js';
import { heldCalls, testConnector } from './fixtures/test-connector.js';

describe('with CONNECTOR_PROXY_MAX_INFLIGHT=2', () => {
  let proxy: RunningProxy;
  let receiver: CallbackReceiver;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'connector-proxy-inflight-'));

  before(async () => {
    receiver = await CallbackReceiver.start();
    proxy = await startProxy({
      connectors: [testConnector],
      env: { CONNECTOR_PROXY_MAX_INFLIGHT: '2', CONNECTOR_PROXY_DATA_DIR: dataDir, CONNECTOR_PROXY_LOG_LEVEL: 'silent' },
    });
  });
  // A failed assertion must not leave calls held for the next test.
  afterEach(() => heldCalls.releaseAll());
  after(async () => {
    await proxy.close();
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Starts `count` calls of test/Wait and resolves once all are held by the command. */
  async function holdCalls(count: number): Promise<Array<Promise<Answer>>> {
    const already = heldCalls.count;
    const calls = Array.from({ length: count }, () => call(proxy.url, '/v1/do/test/Wait', { body: {} }));
    await heldCalls.reach(already + count);
    return calls;
  }

  function assertRefused(answer: Answer): void {
    assert.equal(answer.status, 503);
    assert.equal(answer.headers.get('retry-after'), '1');
    assert.equal(answer.json.command_response_version, 2);
    assert.equal(answer.json.error?.error_code, 'too_many_calls');
    assert.match(answer.json.error?.message ?? '', /CONNECTOR_PROXY_MAX_INFLIGHT/);
  }

  test('the third concurrent call is refused with 503, Retry-After and too_many_calls; the first two complete', async () => {
    const first = await holdCalls(2);
    assertRefused(await call(proxy.url, '/v1/do/test/Echo', { body: { message: 'third' } }));
    heldCalls.releaseAll();
    for (const answer of await Promise.all(first)) {
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.json.command_response.body, { released: true });
    }
    const later = await call(proxy.url, '/v1/do/test/Echo', { body: { message: 'after' } });
    assert.equal(later.status, 200);
  });

  test('calls that fail, crash or are refused give their place back', async () => {
    await call(proxy.url, '/v1/do/test/Fail', { body: { status: 502 } });
    await call(proxy.url, '/v1/do/test/Crash', { body: {} });
    await call(proxy.url, '/v1/do/test/Echo', { body: {} });
    await call(proxy.url, '/v1/do/nope/Nothing', { body: {} });
    const held = await holdCalls(2);
    assertRefused(await call(proxy.url, '/v1/do/test/Echo', { body: { message: 'refused' } }));
    heldCalls.releaseAll();
    await Promise.all(held);
    // Two places again, so the refusal above took none.
    const again = await holdCalls(2);
    heldCalls.releaseAll();
    for (const answer of await Promise.all(again)) assert.equal(answer.status, 200);
  });

  test('a call whose client went away gives its place back once its command ends', async () => {
    const abort = new AbortController();
    const abandoned = fetch(`${proxy.url}/v1/do/test/Wait`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: abort.signal });
    await heldCalls.reach(1);
    abort.abort();
    await assert.rejects(abandoned);
    heldCalls.releaseAll();
    const held = await holdCalls(2);
    heldCalls.releaseAll();
    for (const answer of await Promise.all(held)) assert.equal(answer.status, 200);
  });

  test('background calls hold a place only while being accepted', async () => {
    for (const n of [1, 2]) {
      const { status } = await call(proxy.url, '/v1/do/test/Wait', { body: { run_async: true, spiff__callback_url: receiver.url(`/cb/${n}`) } });
      assert.equal(status, 202);
    }
    await heldCalls.reach(2); // both jobs running in the background
    const calls = await holdCalls(2);
    assertRefused(await call(proxy.url, '/v1/do/test/Echo', { body: { message: 'fifth' } }));
    heldCalls.releaseAll();
    for (const answer of await Promise.all(calls)) assert.equal(answer.status, 200);
    await receiver.delivery('/cb/1');
    await receiver.delivery('/cb/2');
  });
});
