/**
 * Background jobs against a callback receiver that checks what SpiffArena's callback route
 * checks (fixtures/spiff-callback-receiver.ts), on both job stores: SQLite, and Redis databases
 * 11 and 12 (emptied with FLUSHDB before use: point nothing else at them). The Redis half is
 * skipped with the reason printed when Redis does not answer, and fails instead when CI=true.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startProxy, type RunningProxy } from '@connector-proxy/server';
import { pollUntil } from '@connector-proxy/server/testing';
import http from '@connector-proxy/connector-http';
import { jobInState } from './fixtures/callback-receiver.js';
import { JobUpstream } from './fixtures/job-upstream.js';
import { closedPort } from './fixtures/local-targets.js';
import { call, LogCapture } from './fixtures/proxy-client.js';
import { freshRedisDatabase, redisSkipReason } from './fixtures/redis-database.js';
import { SpiffCallbackReceiver } from './fixtures/spiff-callback-receiver.js';

const SERVICE_ACCOUNT_KEY = 'c1b7e2f0-6a4d-4f3e-9b8a-5d2c1e0f9a77';
const READ_ONLY_KEY = 'read-only-account-key-4e1d';
const WRONG_KEY = 'not-a-service-account-key-93b1';

const unavailable = await redisSkipReason('the Redis half of the callback tests');

const dataDirs: string[] = [];
after(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

/** Where a proxy keeps its jobs: `store(database)` gives the settings of an empty store. */
interface StoreKind {
  name: string;
  skip: string | false;
  store(database: number): Promise<Record<string, string>>;
}

const STORES: StoreKind[] = [
  {
    name: 'SQLite',
    skip: false,
    async store() {
      const dir = mkdtempSync(path.join(tmpdir(), 'connector-proxy-callbacks-'));
      dataDirs.push(dir);
      return { CONNECTOR_PROXY_DATA_DIR: dir };
    },
  },
  { name: 'Redis', skip: unavailable ?? false, store: async (database) => ({ CONNECTOR_PROXY_QUEUE_URL: await freshRedisDatabase(database) }) },
];

const QUICK = {
  CONNECTOR_PROXY_LOG_LEVEL: 'debug',
  CONNECTOR_PROXY_CALLBACK_BASE_DELAY_MS: '40',
  CONNECTOR_PROXY_CALLBACK_MAX_ATTEMPTS: '3',
  CONNECTOR_PROXY_CALLBACK_TIMEOUT_MS: '500',
  CONNECTOR_PROXY_SHUTDOWN_GRACE_MS: '200',
};

async function submit(proxyUrl: string, body: Record<string, unknown>, command = 'http/GetRequest'): Promise<string> {
  const { status, json } = await call(proxyUrl, `/v1/do/${command}`, { body: { ...body, run_async: true, spiff__task_data: {} } });
  assert.equal(status, 202, JSON.stringify(json));
  return (json.command_response.body as { job_id: string }).job_id;
}

async function jobStatus(proxyUrl: string, id: string): Promise<Record<string, unknown>> {
  return (await call(proxyUrl, `/v1/jobs/${id}`)).json as unknown as Record<string, unknown>;
}

/** Polls until `check` passes on the job's status (or throws the last failure after `timeoutMs`). */
function jobWhere(proxyUrl: string, id: string, check: (job: Record<string, unknown>) => boolean, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  let job: Record<string, unknown> = {};
  const matched = async () => {
    job = await jobStatus(proxyUrl, id);
    return check(job) ? job : undefined;
  };
  return pollUntil(matched, () => `job ${id} never matched: ${JSON.stringify(job)}`, { timeoutMs, intervalMs: 25 });
}

for (const kind of STORES) {
  describe(`callbacks SpiffArena accepts, on ${kind.name}`, { skip: kind.skip }, () => {
    let proxy: RunningProxy;
    let receiver: SpiffCallbackReceiver;
    let upstream: JobUpstream;
    let closed: number;
    const logs = new LogCapture();
    /** Every /v1/jobs answer of this suite, to check that the key never shows. */
    const answers: string[] = [];

    before(async () => {
      receiver = await SpiffCallbackReceiver.start(SERVICE_ACCOUNT_KEY, READ_ONLY_KEY);
      upstream = await JobUpstream.start();
      closed = await closedPort();
      proxy = await startProxy({
        connectors: [http],
        logStream: logs,
        env: {
          ...(await kind.store(11)),
          ...QUICK,
          CONNECTOR_PROXY_CALLBACK_API_KEY: SERVICE_ACCOUNT_KEY,
          CONNECTOR_PROXY_CALLBACK_ORIGINS: `${receiver.origin},http://127.0.0.1:${closed},http://no-such-host.invalid`,
        },
      });
    });
    after(async () => {
      await proxy?.close();
      await receiver?.close();
      await upstream?.close();
    });

    /** A proxy of its own on an empty store (Redis database 12), closed after `use`. */
    async function withProxy(env: Record<string, string>, use: (proxy: RunningProxy, logs: LogCapture) => Promise<void>): Promise<void> {
      const own = new LogCapture();
      const origins = { CONNECTOR_PROXY_CALLBACK_ORIGINS: receiver.origin };
      const other = await startProxy({ connectors: [http], logStream: own, env: { ...(await kind.store(12)), ...QUICK, ...origins, ...env } });
      try {
        await use(other, own);
      } finally {
        await other.close();
      }
    }

    async function final(proxyUrl: string, id: string, state: string): Promise<Record<string, unknown>> {
      const job = await jobInState(proxyUrl, id, state);
      answers.push(JSON.stringify(job));
      return job;
    }

    test('a callback carries the service account key as SpiffWorkflow-Api-Key, and SpiffArena completes the task', async () => {
      const callback = receiver.waitingTask();
      const id = await submit(proxy.url, { url: upstream.url('/orders'), spiff__callback_url: callback });
      const completed = await receiver.completion(callback);
      assert.equal(completed.headers['spiffworkflow-api-key'], SERVICE_ACCOUNT_KEY);
      assert.equal(completed.headers['content-type'], 'application/json');
      assert.deepEqual(completed.envelope.command_response.body, { path: '/orders' });
      const job = await final(proxy.url, id, 'delivered');
      assert.equal(job.delivery_attempts, 1);
      assert.doesNotMatch(logs.text, /CONNECTOR_PROXY_CALLBACK_API_KEY is not set/, 'no warning when the key is set');
    });

    test('without the key, or with a wrong one, SpiffArena answers 401 and the job fails at once, saying which setting to set', async () => {
      const settings: Array<Record<string, string>> = [{}, { CONNECTOR_PROXY_CALLBACK_API_KEY: WRONG_KEY }];
      for (const env of settings) {
        await withProxy(env, async (other, otherLogs) => {
          const callback = receiver.waitingTask();
          const id = await submit(other.url, { url: upstream.url('/report'), spiff__callback_url: callback });
          const job = await final(other.url, id, 'failed');
          assert.match(String(job.last_error), /^the callback URL http:\/\/127\.0\.0\.1:\d+\/v1\.0\/tasks\/[^ ]+ answered 401 invalid_token: set CONNECTOR_PROXY_CALLBACK_API_KEY to a SpiffArena service account's API key/);
          assert.equal(job.delivery_attempts, 1, 'not retried: the key will not change by itself');
          assert.equal(receiver.refused.filter((refusal) => callback.includes(refusal.task)).length, 1);
          const warned = otherLogs.records().filter((line) => String(line.msg).includes('CONNECTOR_PROXY_CALLBACK_API_KEY is not set'));
          assert.equal(warned.length, 'CONNECTOR_PROXY_CALLBACK_API_KEY' in env ? 0 : 1, 'one warning at start when no key is set');
          assert.doesNotMatch(otherLogs.text, new RegExp(WRONG_KEY));
        });
      }
    });

    test('a service account without permission (403) fails the job at once, naming the setting', async () => {
      await withProxy({ CONNECTOR_PROXY_CALLBACK_API_KEY: READ_ONLY_KEY }, async (other, otherLogs) => {
        const id = await submit(other.url, { url: upstream.url('/report'), spiff__callback_url: receiver.waitingTask() });
        const job = await final(other.url, id, 'failed');
        assert.match(String(job.last_error), /answered 403 not_authorized: the service account whose key is CONNECTOR_PROXY_CALLBACK_API_KEY may not complete tasks/);
        assert.equal(job.delivery_attempts, 1);
        assert.doesNotMatch(otherLogs.text + JSON.stringify(job), new RegExp(READ_ONLY_KEY));
      });
    });

    test('a callback SpiffArena rejects for its content (400) fails the job at once, with its error_code', async () => {
      const callback = receiver.unknownTask();
      const id = await submit(proxy.url, { url: upstream.url('/late'), spiff__callback_url: callback });
      const job = await final(proxy.url, id, 'failed');
      assert.match(String(job.last_error), /answered 400 callback_not_found: the receiver rejected the result/);
      assert.equal(job.delivery_attempts, 1);
      assert.equal(receiver.refused.filter((refusal) => callback.includes(refusal.task)).length, 1, 'sent once');
    });

    test('a callback that gets no answer says what happened, in words, and is retried', async () => {
      const cases: Array<[string, RegExp]> = [
        [receiver.hangingTask(), /the callback URL \S+ did not answer within 0\.5 s \(CONNECTOR_PROXY_CALLBACK_TIMEOUT_MS\)/],
        [`http://127.0.0.1:${closed}/v1.0/tasks/1/x/callback`, /the callback URL \S+ refused the connection/],
        ['http://no-such-host.invalid/v1.0/tasks/1/x/callback', /the callback URL \S+ has a host name (that was not found|DNS could not resolve)/],
      ];
      for (const [callback, wording] of cases) {
        const id = await submit(proxy.url, { url: upstream.url('/x'), spiff__callback_url: callback });
        const job = await final(proxy.url, id, 'failed');
        assert.match(String(job.last_error), wording);
        assert.doesNotMatch(String(job.last_error), /\(\d+\)/, 'no bare number for a reason');
        assert.equal(job.delivery_attempts, 3, 'every attempt CONNECTOR_PROXY_CALLBACK_MAX_ATTEMPTS allows');
      }
    });

    test('a callback URL the egress policy denies is refused when the job is offered (400 callback_url_denied), before anything runs', async () => {
      const elsewhere = await JobUpstream.start('127.0.0.2');
      try {
        const env = {
          CONNECTOR_PROXY_EGRESS_DENY: '127.0.0.1/32',
          CONNECTOR_PROXY_CALLBACK_API_KEY: SERVICE_ACCOUNT_KEY,
          CONNECTOR_PROXY_CALLBACK_ORIGINS: `http://127.0.0.1:9,http://localhost:9,${new URL(elsewhere.url()).origin}`,
        };
        await withProxy(env, async (other) => {
          // Denied as an address, and as a name that resolves to one (localhost is 127.0.0.1 here).
          for (const callback of ['http://127.0.0.1:9/v1.0/tasks/1/x/callback', 'http://localhost:9/v1.0/tasks/1/x/callback']) {
            const { status, json } = await call(other.url, '/v1/do/http/PostRequest', {
              body: { url: elsewhere.url('/charge-card'), data: { amount: 5 }, run_async: true, spiff__callback_url: callback },
            });
            assert.equal(status, 400, callback);
            assert.equal(json.error?.error_code, 'callback_url_denied');
            assert.match(json.error?.message ?? '', /^spiff__callback_url: Connections to (127\.0\.0\.1|localhost) are not allowed by this proxy's egress policy/);
          }
          await new Promise((resolve) => setTimeout(resolve, 300));
          assert.equal(elsewhere.received, 0, 'the side effect did not happen');
          // An allowed callback is still accepted.
          await submit(other.url, { url: elsewhere.url('/ok'), spiff__callback_url: elsewhere.url('/v1.0/tasks/1/x/callback') }, 'http/PostRequest');
        });
      } finally {
        await elsewhere.close();
      }
    });

    test('with CONNECTOR_PROXY_CALLBACK_ORIGINS, a callback to any other origin is refused when offered: the key goes nowhere else', async () => {
      const collector = await SpiffCallbackReceiver.start(SERVICE_ACCOUNT_KEY);
      try {
        const before = upstream.received;
        const { status, json } = await call(proxy.url, '/v1/do/http/PutRequest', {
          body: { url: upstream.url('/update'), data: {}, run_async: true, spiff__callback_url: collector.waitingTask() },
        });
        assert.equal(status, 400);
        assert.equal(json.error?.error_code, 'callback_url_denied');
        assert.match(json.error?.message ?? '', /^spiff__callback_url: http:\/\/127\.0\.0\.1:\d+ is not one of the origins callbacks may go to \(CONNECTOR_PROXY_CALLBACK_ORIGINS\)/);
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(upstream.received, before, 'nothing ran');
        assert.equal(collector.completed.length + collector.refused.length, 0, 'nothing was sent there');
      } finally {
        await collector.close();
      }
    });

    test("GET /v1/jobs/{id} of anything but a job id is a 404 job_not_found, without touching the store (BullMQ's own keys too)", async () => {
      const linesBefore = logs.lines.length;
      for (const id of ['meta', 'id', 'events', 'completed', 'stalled-check', 'failed', 'wait', 'delayed', '00000000-0000-0000-0000-000000000000', 'F0E1D2C3-B4A5-4968-8776-655443322110']) {
        const { status, json } = await call(proxy.url, `/v1/jobs/${id}`);
        assert.equal(status, 404, id);
        assert.equal(json.error?.error_code, 'job_not_found', id);
      }
      const errors = logs.records().slice(linesBefore).filter((line) => line.level === 'error' || line.level === 'fatal');
      assert.deepEqual(errors, [], 'no error logged');
    });

    test('the key appears in no log line and no /v1/jobs answer', () => {
      assert.ok(answers.length > 0);
      assert.doesNotMatch(logs.text, new RegExp(SERVICE_ACCOUNT_KEY));
      assert.doesNotMatch(answers.join('\n'), new RegExp(SERVICE_ACCOUNT_KEY));
    });

    describe('slow jobs do not hold up the others', () => {
      const SLOTS = { CONNECTOR_PROXY_WORKER_CONCURRENCY: '2', CONNECTOR_PROXY_JOB_SLOW_AFTER_MS: '300', CONNECTOR_PROXY_CALLBACK_API_KEY: SERVICE_ACCOUNT_KEY };

      test('with every worker slot on a hanging URL (attempts: 10), a new job runs and is delivered while they still hang', async () => {
        await withProxy({ ...SLOTS, CONNECTOR_PROXY_HTTP_TIMEOUT_MS: '1000' }, async (other) => {
          const hanging = [];
          for (let n = 0; n < 2; n += 1) hanging.push(await submit(other.url, { url: upstream.url(`/hang/${n}`), attempts: 10, spiff__callback_url: receiver.waitingTask() }));
          await Promise.all(hanging.map((id) => jobInState(other.url, id, 'running')));

          const callback = receiver.waitingTask();
          const quick = await submit(other.url, { url: upstream.url('/quick'), spiff__callback_url: callback });
          await receiver.completion(callback);
          for (const id of hanging) assert.equal((await jobStatus(other.url, id)).state, 'running', 'the hanging jobs are still at it');

          const job = await jobInState(other.url, quick, 'delivered');
          assert.equal(typeof job.wait_ms, 'number');
          assert.ok(Date.parse(String(job.started_at)) >= Date.parse(String(job.created_at)), 'started_at is when it started, after acceptance');
        });
      });

      test('with every worker slot delivering to a receiver that never answers, a new job is delivered meanwhile', async () => {
        await withProxy({ ...SLOTS, CONNECTOR_PROXY_CALLBACK_TIMEOUT_MS: '8000' }, async (other) => {
          const stuck = [];
          for (let n = 0; n < 2; n += 1) stuck.push(await submit(other.url, { url: upstream.url(`/done/${n}`), spiff__callback_url: receiver.hangingTask() }));
          await Promise.all(stuck.map((id) => jobInState(other.url, id, 'delivering')));

          const callback = receiver.waitingTask();
          await submit(other.url, { url: upstream.url('/quick'), spiff__callback_url: callback });
          await receiver.completion(callback);
          for (const id of stuck) {
            const job = await jobStatus(other.url, id);
            assert.equal(job.state, 'delivering');
            assert.equal(job.delivery_attempts, 0, 'still on its first attempt');
          }
        });
      });

      test('a job waiting for a slot shows how long it has been queued', async () => {
        await withProxy({ CONNECTOR_PROXY_WORKER_CONCURRENCY: '1', CONNECTOR_PROXY_JOB_SLOW_AFTER_MS: '600000', CONNECTOR_PROXY_HTTP_TIMEOUT_MS: '20000' }, async (other) => {
          const first = await submit(other.url, { url: upstream.url('/hang/first'), spiff__callback_url: receiver.waitingTask() });
          await jobInState(other.url, first, 'running');
          const queued = await submit(other.url, { url: upstream.url('/quick'), spiff__callback_url: receiver.waitingTask() });
          const early = await jobWhere(other.url, queued, (job) => Number(job.wait_ms) > 0);
          const later = await jobWhere(other.url, queued, (job) => Number(job.wait_ms) > Number(early.wait_ms));
          for (const job of [early, later]) {
            assert.equal(job.state, 'accepted');
            assert.equal(job.started_at, null);
          }
        });
      });
    });
  });
}
