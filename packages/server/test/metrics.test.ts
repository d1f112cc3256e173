import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startProxy, type RunningProxy } from '@connector-proxy/server';
import { CallbackReceiver, jobInState } from './fixtures/callback-receiver.js';
import { scrape, type Scrape } from './fixtures/prometheus.js';
import { call } from './fixtures/proxy-client.js';
import { heldCalls, testConnector } from './fixtures/test-connector.js';

const CALLS = 'connector_proxy_calls_total';
const DURATION_COUNT = 'connector_proxy_call_duration_seconds_count';
const DURATION_SUM = 'connector_proxy_call_duration_seconds_sum';
const DURATION_BUCKET = 'connector_proxy_call_duration_seconds_bucket';
const UPSTREAM_FAILURES = 'connector_proxy_upstream_failures_total';
const IN_FLIGHT = 'connector_proxy_calls_in_flight';
const JOBS = 'connector_proxy_jobs_total';

/** How much a sample grew between two scrapes (absent before counts as 0). */
function growth(before: Scrape, after: Scrape, name: string, labels: Record<string, string>): number {
  return after.value(name, labels) - (before.has(name, labels) ? before.value(name, labels) : 0);
}

describe('GET /metrics', () => {
  let proxy: RunningProxy;
  let receiver: CallbackReceiver;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'connector-proxy-metrics-'));

  before(async () => {
    receiver = await CallbackReceiver.start();
    proxy = await startProxy({ connectors: [testConnector], env: { CONNECTOR_PROXY_DATA_DIR: dataDir, CONNECTOR_PROXY_LOG_LEVEL: 'silent' } });
  });
  after(async () => {
    heldCalls.releaseAll();
    await proxy.close();
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('every command, outcome and job state is exposed at 0 from the start, beside Node process metrics', async () => {
    const metrics = await scrape(proxy.url);
    for (const command of ['test/Echo', 'test/Fail', 'test/Wait', 'unknown']) {
      for (const outcome of ['ok', 'error', 'accepted']) assert.equal(metrics.value(CALLS, { command, outcome }), 0, `${command} ${outcome}`);
      assert.equal(metrics.value(DURATION_COUNT, { command }), 0, command);
    }
    for (const state of ['accepted', 'running', 'delivering', 'delivered', 'failed']) assert.equal(metrics.value(JOBS, { state }), 0, state);
    assert.equal(metrics.value(IN_FLIGHT), 0);
    assert.ok(metrics.value('process_resident_memory_bytes') > 0);
    assert.ok(metrics.has('nodejs_heap_size_used_bytes'));
  });

  test('calls are counted by command and outcome, with their durations', async () => {
    const before = await scrape(proxy.url);
    await call(proxy.url, '/v1/do/test/Echo', { body: { message: 'one' } });
    await call(proxy.url, '/v1/do/test/Echo', { body: { message: 'two' } });
    await call(proxy.url, '/v1/do/test/Echo', { body: { times: 'many' } }); // 400 invalid_parameters
    await call(proxy.url, '/v1/do/test/Fail', { body: { status: 502 } });
    await call(proxy.url, '/v1/do/test/Crash', { body: {} });
    const after = await scrape(proxy.url);

    assert.equal(growth(before, after, CALLS, { command: 'test/Echo', outcome: 'ok' }), 2);
    assert.equal(growth(before, after, CALLS, { command: 'test/Echo', outcome: 'error' }), 1);
    assert.equal(growth(before, after, CALLS, { command: 'test/Fail', outcome: 'error' }), 1);
    assert.equal(growth(before, after, CALLS, { command: 'test/Crash', outcome: 'error' }), 1);
    assert.equal(growth(before, after, DURATION_COUNT, { command: 'test/Echo' }), 3);
    assert.ok(growth(before, after, DURATION_SUM, { command: 'test/Echo' }) > 0);
    // Every call ends well within the 45 s top bucket; the buckets run from 1 ms.
    assert.equal(growth(before, after, DURATION_BUCKET, { command: 'test/Echo', le: '45' }), 3);
    assert.ok(after.has(DURATION_BUCKET, { command: 'test/Echo', le: '0.001' }));
  });

  test('calls to unknown commands are labelled "unknown", never by the id the caller made up', async () => {
    const before = await scrape(proxy.url);
    for (let i = 0; i < 5; i += 1) {
      const { status } = await call(proxy.url, `/v1/do/made-up-${i}/Command${i}`, { body: {} });
      assert.equal(status, 404);
    }
    const after = await scrape(proxy.url);
    assert.equal(growth(before, after, CALLS, { command: 'unknown', outcome: 'error' }), 5);
    const labelled = after.samples.filter((sample) => sample.labels.command?.startsWith('made-up'));
    assert.deepEqual(labelled, []);
  });

  test('third-party failures are counted by error_code; the proxy\'s own refusals are not', async () => {
    const before = await scrape(proxy.url);
    await call(proxy.url, '/v1/do/test/Fail', { body: { status: 503 } });
    await call(proxy.url, '/v1/do/test/Fail', { body: { status: 503 } });
    await call(proxy.url, '/v1/do/test/Fail', { body: { status: 404 } });
    await call(proxy.url, '/v1/do/test/Fail', { body: {} }); // invalid_parameters
    const after = await scrape(proxy.url);
    assert.equal(growth(before, after, UPSTREAM_FAILURES, { command: 'test/Fail', error_code: 'Upstream503' }), 2);
    assert.equal(growth(before, after, UPSTREAM_FAILURES, { command: 'test/Fail', error_code: 'Upstream404' }), 1);
    const proxyCodes = after.series(UPSTREAM_FAILURES).filter((sample) => /^[a-z]/.test(sample.labels.error_code ?? ''));
    assert.deepEqual(proxyCodes, []);
    assert.equal(growth(before, after, CALLS, { command: 'test/Fail', outcome: 'error' }), 4);
  });

  test('the in-flight gauge shows the calls being handled, and falls back once they end', async () => {
    const waiting = [1, 2, 3].map(() => call(proxy.url, '/v1/do/test/Wait', { body: {} }));
    await heldCalls.reach(3);
    assert.equal((await scrape(proxy.url)).value(IN_FLIGHT), 3);
    heldCalls.releaseAll();
    for (const answer of await Promise.all(waiting)) assert.equal(answer.status, 200);
    assert.equal((await scrape(proxy.url)).value(IN_FLIGHT), 0);
  });

  test('a call whose client went away counts until its command ends', async () => {
    const abort = new AbortController();
    const abandoned = fetch(`${proxy.url}/v1/do/test/Wait`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: abort.signal });
    await heldCalls.reach(1);
    abort.abort();
    await assert.rejects(abandoned);
    // The command still runs: that work is what the gauge (and the limit) account for.
    assert.equal((await scrape(proxy.url)).value(IN_FLIGHT), 1);
    const before = await scrape(proxy.url);
    heldCalls.releaseAll();
    const deadline = Date.now() + 5000;
    let after = await scrape(proxy.url);
    while (after.value(IN_FLIGHT) !== 0 && Date.now() < deadline) after = await scrape(proxy.url);
    assert.equal(after.value(IN_FLIGHT), 0);
    assert.equal(growth(before, after, CALLS, { command: 'test/Wait', outcome: 'ok' }), 1);
  });

  test('a background job\'s transitions are counted: accepted, running, delivering, delivered', async () => {
    const before = await scrape(proxy.url);
    const { status, json } = await call(proxy.url, '/v1/do/test/Wait', { body: { run_async: true, spiff__callback_url: receiver.url('/cb/delivered') } });
    assert.equal(status, 202);
    const jobId = (json.command_response.body as { job_id: string }).job_id;
    await heldCalls.reach(1);
    const running = await scrape(proxy.url);
    assert.equal(growth(before, running, CALLS, { command: 'test/Wait', outcome: 'accepted' }), 1);
    assert.equal(growth(before, running, JOBS, { state: 'accepted' }), 1);
    assert.equal(growth(before, running, JOBS, { state: 'running' }), 1);
    assert.equal(growth(before, running, JOBS, { state: 'delivering' }), 0);
    // Once accepted, a background job is not a call in flight.
    assert.equal(running.value(IN_FLIGHT), 0);

    heldCalls.releaseAll();
    await receiver.delivery('/cb/delivered');
    await jobInState(proxy.url, jobId, 'delivered');
    const after = await scrape(proxy.url);
    assert.equal(growth(before, after, JOBS, { state: 'delivering' }), 1);
    assert.equal(growth(before, after, JOBS, { state: 'delivered' }), 1);
    assert.equal(growth(before, after, JOBS, { state: 'failed' }), 0);
  });

  test('a job whose callback is refused is counted as failed', async () => {
    const before = await scrape(proxy.url);
    receiver.answerWith([400]);
    const { json } = await call(proxy.url, '/v1/do/test/Wait', { body: { run_async: true, spiff__callback_url: receiver.url('/cb/refused') } });
    await heldCalls.reach(1);
    heldCalls.releaseAll();
    await jobInState(proxy.url, (json.command_response.body as { job_id: string }).job_id, 'failed');
    const after = await scrape(proxy.url);
    assert.equal(growth(before, after, JOBS, { state: 'delivering' }), 1);
    assert.equal(growth(before, after, JOBS, { state: 'failed' }), 1);
    assert.equal(growth(before, after, JOBS, { state: 'delivered' }), 0);
  });
});

describe('GET /metrics with an API key', () => {
  const KEY = 'metrics-key-for-tests';
  let proxy: RunningProxy;
  before(async () => {
    proxy = await startProxy({ connectors: [testConnector], env: { CONNECTOR_PROXY_API_KEY: KEY, CONNECTOR_PROXY_LOG_LEVEL: 'silent' } });
  });
  after(() => proxy.close());

  test('needs the key, like /v1/commands', async () => {
    const attempts: Array<Record<string, string>> = [{}, { 'spiff-connector-proxy-api-key': 'wrong' }];
    for (const headers of attempts) {
      const { status, json } = await call(proxy.url, '/metrics', { headers });
      assert.equal(status, 401);
      assert.equal(json.error?.error_code, 'unauthorized');
    }
    const metrics = await scrape(proxy.url, { 'spiff-connector-proxy-api-key': KEY });
    assert.equal(metrics.value(CALLS, { command: 'test/Echo', outcome: 'ok' }), 0);
  });
});

describe('two proxies in one process', () => {
  test('keep metrics of their own', async () => {
    const env = { CONNECTOR_PROXY_LOG_LEVEL: 'silent' };
    const first = await startProxy({ connectors: [testConnector], env });
    const second = await startProxy({ connectors: [testConnector], env });
    try {
      await call(first.url, '/v1/do/test/Echo', { body: { message: 'first only' } });
      assert.equal((await scrape(first.url)).value(CALLS, { command: 'test/Echo', outcome: 'ok' }), 1);
      assert.equal((await scrape(second.url)).value(CALLS, { command: 'test/Echo', outcome: 'ok' }), 0);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
