/**
 * Background jobs on Redis (BullMQ), through real proxies: in this process (`startProxy`) and as
 * spawned command-line processes sharing one queue.
 *
 * Needs the machine's Redis at 127.0.0.1:6379: skipped with the reason printed when it does not
 * answer, failed instead when CI=true. The queue name is fixed, so each group of tests uses its
 * own Redis database (5 to 10, in the URL's path), emptied with FLUSHDB before use: do not point
 * anything else at those databases, nor run two copies of this file at once.
 */
import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startProxy, type RunningProxy } from '@connector-proxy/server';
import http from '@connector-proxy/connector-http';
import { startCli, type CliRun } from './fixtures/cli-process.js';
import { CallbackReceiver, jobInState } from './fixtures/callback-receiver.js';
import { call, LogCapture } from './fixtures/proxy-client.js';
import { freshRedisDatabase, redisSkipReason, storedJob } from './fixtures/redis-database.js';

const SLOW_CONNECTOR = fileURLToPath(new URL('./fixtures/slow-connector.mjs', import.meta.url));

const unavailable = await redisSkipReason('the Redis job store tests');
const skip = unavailable ?? false;

/** An upstream answering JSON, counting calls; `/slow/{ms}` answers after `ms`. */
async function startUpstream(): Promise<{ url: string; calls: () => number; close: () => Promise<void> }> {
  let calls = 0;
  const server: Server = createServer((request, response) => {
    calls += 1;
    const answer = () => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: request.url }));
    setTimeout(answer, Number(/^\/slow\/(\d+)$/.exec(request.url ?? '')?.[1] ?? 0));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: () => calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A proxy in this process keeping its jobs in `queueUrl`, with fast retries. */
function startRedisProxy(queueUrl: string, env: Record<string, string> = {}, logStream?: LogCapture): Promise<RunningProxy> {
  return startProxy({
    connectors: [http],
    logStream,
    env: { CONNECTOR_PROXY_QUEUE_URL: queueUrl, CONNECTOR_PROXY_CALLBACK_BASE_DELAY_MS: '40', CONNECTOR_PROXY_LOG_LEVEL: 'silent', ...env },
  });
}

/** Submits an `http/GetRequest` in the background; returns the job id. */
async function submit(proxyUrl: string, url: string, callbackUrl: string, extra: Record<string, unknown> = {}): Promise<string> {
  const { status, json } = await call(proxyUrl, '/v1/do/http/GetRequest', { body: { url, ...extra, run_async: true, spiff__callback_url: callbackUrl, spiff__task_data: {} } });
  assert.equal(status, 202, JSON.stringify(json));
  return (json.command_response.body as { job_id: string }).job_id;
}

describe('background jobs on Redis', { skip }, () => {
  let proxy: RunningProxy;
  let receiver: CallbackReceiver;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;

  before(async () => {
    receiver = await CallbackReceiver.start();
    upstream = await startUpstream();
    proxy = await startRedisProxy(await freshRedisDatabase(5));
  });
  after(async () => {
    await proxy?.close();
    await receiver?.close();
    await upstream?.close();
  });

  test('a background call answers 202, runs once and PUTs its envelope to the callback', async () => {
    const { status, json } = await call(proxy.url, '/v1/do/http/GetRequest', {
      body: { url: `${upstream.url}/orders`, run_async: true, spiff__callback_url: receiver.url('/cb/ok'), spiff__task_data: {} },
    });
    assert.equal(status, 202);
    const body = json.command_response.body as { job_id: string; state: string; status_url: string };
    assert.equal(body.state, 'accepted');
    assert.equal(body.status_url, `/v1/jobs/${body.job_id}`);

    const delivery = await receiver.delivery('/cb/ok');
    assert.equal(delivery.headers['idempotency-key'], body.job_id);
    assert.equal(delivery.envelope.error, null);
    assert.deepEqual(delivery.envelope.command_response.body, { path: '/orders' });

    const final = await jobInState(proxy.url, body.job_id, 'delivered');
    assert.equal(final.command, 'http/GetRequest');
    assert.equal(final.runs, 1);
    assert.equal(final.delivery_attempts, 1);
    assert.equal(final.last_error, null);
    assert.ok(Date.parse(String(final.created_at)) <= Date.parse(String(final.updated_at)), 'ISO dates, updated after created');
    assert.equal('params' in final || 'result' in final, false, 'never parameters or results');
  });

  test('a callback answering 503 twice is retried with backoff until it accepts', async () => {
    receiver.answerWith([503, 503]);
    const id = await submit(proxy.url, `${upstream.url}/retry`, receiver.url('/cb/retry'));
    await receiver.delivery('/cb/retry');
    const final = await jobInState(proxy.url, id, 'delivered');
    assert.equal(final.delivery_attempts, 3);
    assert.equal(final.runs, 1, 'only delivery was retried, the command ran once');
  });

  test('a callback answering 404 ends the job as failed, with the reason', async () => {
    receiver.answerWith([404]);
    const id = await submit(proxy.url, `${upstream.url}/gone`, receiver.url('/cb/gone'));
    const final = await jobInState(proxy.url, id, 'failed');
    assert.match(String(final.last_error), /answered 404/);
    assert.equal(final.delivery_attempts, 1);
  });

  test('an unknown job is a 404 job_not_found', async () => {
    const { status, json } = await call(proxy.url, '/v1/jobs/00000000-0000-0000-0000-000000000000');
    assert.equal(status, 404);
    assert.equal(json.error?.error_code, 'job_not_found');
  });
});

describe('a job moved between proxies on Redis', { skip }, () => {
  test('a result stored by a proxy that stopped is delivered by another without running the command again', async () => {
    const queueUrl = await freshRedisDatabase(6);
    const receiver = await CallbackReceiver.start();
    const upstream = await startUpstream();
    // The first proxy's one delivery fails, and its retry is due after the proxy has stopped.
    const env = { CONNECTOR_PROXY_CALLBACK_BASE_DELAY_MS: '1500', CONNECTOR_PROXY_CALLBACK_MAX_DELAY_MS: '1500' };
    let first: RunningProxy | undefined = await startRedisProxy(queueUrl, env);
    let second: RunningProxy | undefined;
    try {
      receiver.answerWith([503]);
      const id = await submit(first.url, `${upstream.url}/once`, receiver.url('/cb/moved'));
      await jobInState(first.url, id, 'delivering');
      await first.close();
      first = undefined;

      second = await startRedisProxy(queueUrl, env);
      await receiver.delivery('/cb/moved');
      const final = await jobInState(second.url, id, 'delivered');
      assert.equal(final.runs, 1);
      assert.equal(final.delivery_attempts, 2);
      assert.equal(upstream.calls(), 1, 'the command ran once');
    } finally {
      await first?.close();
      await second?.close();
      await receiver.close();
      await upstream.close();
    }
  });
});

describe('proxies with and without the secret key on one queue', { skip }, () => {
  test('a proxy lacking the key leaves a sealed job for one that has it', async () => {
    const queueUrl = await freshRedisDatabase(10);
    const receiver = await CallbackReceiver.start();
    const upstream = await startUpstream();
    const keyed = { CONNECTOR_PROXY_SECRET_KEY: 'c'.repeat(64), CONNECTOR_PROXY_CALLBACK_BASE_DELAY_MS: '1000', CONNECTOR_PROXY_CALLBACK_MAX_DELAY_MS: '1000' };
    try {
      // The first delivery fails: the retry, due after this proxy stopped, is what the others see.
      receiver.answerWith([503]);
      const first = await startRedisProxy(queueUrl, keyed);
      let id: string;
      try {
        id = await submit(first.url, `${upstream.url}/sealed`, receiver.url('/cb/sealed'));
        await jobInState(first.url, id, 'delivering');
      } finally {
        await first.close();
      }

      const logs = new LogCapture();
      const keyless = await startRedisProxy(queueUrl, { CONNECTOR_PROXY_LOG_LEVEL: 'warn' }, logs);
      try {
        const deadline = Date.now() + 5000;
        while (!logs.text.includes('could not be handled here') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
        assert.match(logs.text, /CONNECTOR_PROXY_SECRET_KEY is needed/, 'the proxy without the key says why it cannot take the job');
        await jobInState(keyless.url, id, 'delivering'); // left as it was, not failed
      } finally {
        await keyless.close();
      }

      const second = await startRedisProxy(queueUrl, keyed);
      try {
        await receiver.delivery('/cb/sealed', 10_000);
        const final = await jobInState(second.url, id, 'delivered');
        assert.equal(final.runs, 1);
        assert.equal(upstream.calls(), 1);
      } finally {
        await second.close();
      }
    } finally {
      await receiver.close();
      await upstream.close();
    }
  });
});

describe('a proxy shutting down with a job in flight', { skip }, () => {
  let receiver: CallbackReceiver;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;

  before(async () => {
    receiver = await CallbackReceiver.start();
    upstream = await startUpstream();
  });
  after(async () => {
    await receiver?.close();
    await upstream?.close();
  });

  test('finishes and delivers it within the grace period', async () => {
    const proxy = await startRedisProxy(await freshRedisDatabase(9));
    const id = await submit(proxy.url, `${upstream.url}/slow/400`, receiver.url('/cb/graceful'));
    await jobInState(proxy.url, id, 'running');
    await proxy.close();
    const delivery = receiver.deliveries.find((d) => d.path === '/cb/graceful');
    assert.equal(delivery?.headers['idempotency-key'], id, 'delivered before close returned');
    const stored = JSON.parse((await storedJob(9, id)).data ?? '{}') as { state?: string };
    assert.equal(stored.state, 'delivered', 'and recorded as delivered');
  });

  test('leaves it, past the grace, to another proxy, which runs it again within 30 s', async () => {
    const queueUrl = await freshRedisDatabase(9);
    const first = await startRedisProxy(queueUrl, { CONNECTOR_PROXY_SHUTDOWN_GRACE_MS: '100' });
    const id = await submit(first.url, `${upstream.url}/slow/1000`, receiver.url('/cb/left'));
    await jobInState(first.url, id, 'running');
    const closing = Date.now();
    await first.close();
    assert.ok(Date.now() - closing < 2000, 'close did not wait for the job');

    const second = await startRedisProxy(queueUrl);
    try {
      const delivery = await receiver.delivery('/cb/left', 30_000);
      assert.equal(delivery.headers['idempotency-key'], id);
      const final = await jobInState(second.url, id, 'delivered');
      assert.equal(final.runs, 2, 'the abandoned run and the one that took over');
    } finally {
      await second.close();
    }
  });
});

describe('job data stored in Redis', { skip }, () => {
  test('with CONNECTOR_PROXY_SECRET_KEY parameters and results are encrypted at rest', async () => {
    const secret = 'sk-live-do-not-store-in-clear';
    const receiver = await CallbackReceiver.start();
    const proxy = await startRedisProxy(await freshRedisDatabase(7), { CONNECTOR_PROXY_SECRET_KEY: 'b'.repeat(64) });
    try {
      receiver.answerWith([404]); // the job ends after one run: only what is stored matters here
      const id = await submit(proxy.url, 'http://127.0.0.1:9/', receiver.url(), { headers: { 'X-Token': secret } });
      await jobInState(proxy.url, id, 'failed');
      const stored = await storedJob(7, id);
      assert.match(stored.data ?? '', /v1:/, 'the job is in Redis, sealed');
      assert.doesNotMatch(JSON.stringify(stored), new RegExp(secret));
    } finally {
      await proxy.close();
      await receiver.close();
    }
  });

  test('a Redis that does not answer stops the start, naming the setting and hiding the password', async () => {
    await assert.rejects(startRedisProxy('redis://:hunter2-secret@127.0.0.1:1/0'), (error: Error) => {
      assert.match(error.message, /CONNECTOR_PROXY_QUEUE_URL/);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
  });
});

type CliProxy = CliRun & { url: string };

describe('proxy processes sharing one Redis queue', { skip }, () => {
  const children: ChildProcessWithoutNullStreams[] = [];
  let receiver: CallbackReceiver;

  before(async () => {
    receiver = await CallbackReceiver.start();
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await receiver?.close();
  });

  /** Starts the built command-line entry as an operator would; killed in `after` if still running. */
  async function startProxyProcess(env: Record<string, string>): Promise<CliProxy> {
    const run = await startCli(env);
    children.push(run.child);
    return run;
  }

  test('jobs held by a killed process are taken over by another within 30 s and every callback is delivered', async () => {
    const password = 'queue-password-not-for-logs';
    // This Redis has no password: ioredis warns and goes on, which lets the logs be checked for it.
    const queueUrl = (await freshRedisDatabase(8)).replace('redis://', `redis://:${password}@`);
    const env = { CONNECTOR_PROXY_QUEUE_URL: queueUrl, CONNECTOR_PROXY_CONNECTORS: SLOW_CONNECTOR, CONNECTOR_PROXY_WORKER_CONCURRENCY: '3' };
    // A starts alone and takes the first three jobs (its concurrency is 3), then B starts and,
    // A being full, takes the other three: who holds what at the kill is known, not left to
    // which worker wakes first (an idle BullMQ worker may wait seconds before it fetches). The
    // jobs sleep 8 s, so A's are still running when it is killed, however slowly B starts.
    const a = await startProxyProcess(env);
    const submitSleep = async (proxyUrl: string, n: number): Promise<string> => {
      const { status, json } = await call(proxyUrl, '/v1/do/slow/Background', { body: { ms: 8000, spiff__callback_url: receiver.url(`/cb/${n}`) } });
      assert.equal(status, 202);
      return (json.command_response.body as { job_id: string }).job_id;
    };
    const onA = [await submitSleep(a.url, 0), await submitSleep(a.url, 1), await submitSleep(a.url, 2)];
    await Promise.all(onA.map((id) => jobInState(a.url, id, 'running', 10_000)));
    const b = await startProxyProcess(env);
    const onB = [await submitSleep(b.url, 3), await submitSleep(b.url, 4), await submitSleep(b.url, 5)];
    const ids = [...onA, ...onB];
    const statesAtKill = await Promise.all(onA.map(async (id) => ((await (await fetch(`${a.url}/v1/jobs/${id}`)).json()) as { state: string }).state));
    assert.deepEqual(statesAtKill, ['running', 'running', 'running'], "A's three jobs are running when it is killed");
    a.child.kill('SIGKILL');
    const killedAt = Date.now();

    for (let n = 0; n < 6; n += 1) await receiver.delivery(`/cb/${n}`, 45_000);
    const takeoverMs = Date.now() - killedAt;
    assert.ok(takeoverMs < 30_000, `all delivered ${takeoverMs} ms after the kill`);

    const delivered = new Set(receiver.deliveries.map((d) => d.headers['idempotency-key']));
    assert.deepEqual([...delivered].sort(), [...ids].sort(), 'each job id at least once');
    const runs = async (id: string) => (await jobInState(b.url, id, 'delivered')).runs;
    assert.deepEqual(await Promise.all(onA.map(runs)), [2, 2, 2], "A's three jobs ran again on B");
    assert.deepEqual(await Promise.all(onB.map(runs)), [1, 1, 1], "B's own three ran once");
    for (const d of receiver.deliveries) assert.equal((d.envelope.command_response.body as { pid: number }).pid, b.child.pid, 'every result comes from B');

    assert.doesNotMatch(a.output() + b.output(), new RegExp(password), 'the Redis password is never logged');
    assert.match(b.output(), /background jobs are kept in Redis/);

    b.child.kill('SIGTERM');
    const [code] = (await once(b.child, 'exit')) as [number | null];
    assert.equal(code, 0, 'B stops cleanly on SIGTERM');
  });
});
