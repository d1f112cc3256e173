/**
 * `GET /v1/jobs`: recent background jobs, newest first, on SQLite and on Redis alike; and
 * `GET /readyz` while Redis stops answering and comes back.
 *
 * The Redis parts need the machine's Redis at 127.0.0.1:6379 and use database 15 (emptied with
 * FLUSHDB first), one after the other in this file (two files on one database would run at once
 * and take each other's jobs): skipped with the reason printed when Redis does not answer, failed
 * when CI=true.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import http from '@connector-proxy/connector-http';
import { defineCommand, defineConnector, Type } from '@connector-proxy/sdk';
import { startProxy, type RunningProxy } from '@connector-proxy/server';
import { CallbackReceiver } from './fixtures/callback-receiver.js';
import { call } from './fixtures/proxy-client.js';
import { freshRedisDatabase, redisSkipReason } from './fixtures/redis-database.js';

const REDIS_DATABASE = 15;
const KEY = 'job-list-test-key';

const unavailable = await redisSkipReason('the Redis job list tests');

/** Background calls of `jobs/Hold` wait until the test releases them (or the proxy closes). */
const held = new Set<() => void>();
const hold = defineCommand({
  name: 'Hold',
  asynchronous: 'always',
  parameters: { label: Type.String(), wait: Type.Optional(Type.Boolean()) },
  async run({ label, wait }, context) {
    if (wait === true) {
      await new Promise<void>((resolve) => {
        const release = (): void => {
          held.delete(release);
          resolve();
        };
        held.add(release);
        context.signal.addEventListener('abort', release, { once: true });
      });
    }
    return { body: { label } };
  },
});
const jobsConnector = defineConnector({ name: 'jobs', commands: [hold] });

type JobFields = Record<string, unknown>;

async function listJobs(proxy: RunningProxy, query = '', key = KEY): Promise<{ status: number; jobs: JobFields[]; json: Record<string, unknown> }> {
  const { status, json } = await call(proxy.url, `/v1/jobs${query}`, { headers: { 'spiff-connector-proxy-api-key': key } });
  return { status, jobs: (json as unknown as { jobs: JobFields[] }).jobs, json };
}

async function submit(proxy: RunningProxy, receiver: CallbackReceiver, label: string, wait = false): Promise<string> {
  const { status, json } = await call(proxy.url, '/v1/do/jobs/Hold', {
    body: { label, wait, spiff__callback_url: receiver.url(`/${label}`), spiff__task_data: { secret_note: 'never listed' } },
    headers: { 'spiff-connector-proxy-api-key': KEY },
  });
  assert.equal(status, 202, JSON.stringify(json));
  return (json.command_response.body as { job_id: string }).job_id;
}

/** The same checks against a proxy made by `start`. */
function jobListSuite(name: string, start: () => Promise<RunningProxy>, skip: string | false): void {
  describe(`GET /v1/jobs on ${name}`, { skip }, () => {
    let proxy: RunningProxy;
    let receiver: CallbackReceiver;
    before(async () => {
      receiver = await CallbackReceiver.start();
      proxy = await start();
    });
    after(async () => {
      for (const release of [...held]) release();
      await proxy?.close();
      await receiver?.close();
    });

    test('an empty store lists no jobs', async () => {
      const { status, jobs } = await listJobs(proxy);
      assert.equal(status, 200);
      assert.deepEqual(jobs, []);
    });

    test('lists the newest first, with the fields of /v1/jobs/{id} and never parameters or results; state and limit filter', async () => {
      const ids: string[] = [];
      for (const label of ['first', 'second', 'third']) {
        ids.push(await submit(proxy, receiver, label));
        await receiver.delivery(`/${label}`);
        const id = ids.at(-1) as string;
        await waitFor(async () => (await call(proxy.url, `/v1/jobs/${id}`, { headers: { 'spiff-connector-proxy-api-key': KEY } })).json.state === 'delivered');
      }
      const waiting = await submit(proxy, receiver, 'waiting', true);
      await waitFor(async () => held.size === 1);

      const all = await listJobs(proxy);
      assert.equal(all.status, 200);
      assert.deepEqual(all.jobs.map((job) => job.id), [waiting, ...ids.reverse()]);
      const single = await call(proxy.url, `/v1/jobs/${waiting}`, { headers: { 'spiff-connector-proxy-api-key': KEY } });
      assert.deepEqual(all.jobs[0], single.json, 'the same fields as GET /v1/jobs/{id}');
      assert.deepEqual(Object.keys(all.jobs[0] as JobFields).sort(), ['command', 'created_at', 'delivery_attempts', 'id', 'last_error', 'runs', 'started_at', 'state', 'updated_at', 'wait_ms']);
      assert.doesNotMatch(JSON.stringify(all.json), /never listed|"label"|second"/, 'no parameters, task data or results');

      const running = await listJobs(proxy, '?state=running');
      assert.deepEqual(running.jobs.map((job) => [job.id, job.state, job.runs]), [[waiting, 'running', 1]]);
      const delivered = await listJobs(proxy, '?state=delivered&limit=2');
      assert.deepEqual(delivered.jobs.map((job) => job.id), ids.slice(0, 2), 'the two newest delivered jobs');
      assert.ok(delivered.jobs.every((job) => job.state === 'delivered' && job.delivery_attempts === 1));
      assert.deepEqual((await listJobs(proxy, '?state=failed')).jobs, []);
    });

    test('a bad state or limit is a 400 naming it; the key is required', async () => {
      const bad = await listJobs(proxy, '?state=lost&limit=1000');
      assert.equal(bad.status, 400);
      const error = bad.json.error as { error_code: string; message: string };
      assert.equal(error.error_code, 'invalid_parameters');
      assert.match(error.message, /state must be one of accepted, running, delivering, delivered, failed/);
      assert.match(error.message, /limit must be a whole number from 1 to 100/);
      assert.equal((await listJobs(proxy, '?limit=0')).status, 400);
      assert.equal((await listJobs(proxy, '?limit=2.5')).status, 400);
      assert.equal((await listJobs(proxy, '?limit=1e1')).status, 400, 'digits only, as the typeahead reads its limit');
      const refused = await listJobs(proxy, '', 'wrong');
      assert.equal(refused.status, 401);
    });
  });
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'connector-proxy-job-list-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));
const common = { CONNECTOR_PROXY_LOG_LEVEL: 'silent', CONNECTOR_PROXY_API_KEY: KEY, CONNECTOR_PROXY_SHUTDOWN_GRACE_MS: '100' };

jobListSuite('SQLite', () => startProxy({ connectors: [jobsConnector], env: { ...common, CONNECTOR_PROXY_DATA_DIR: dataDir } }), false);
jobListSuite(
  'Redis',
  async () => startProxy({ connectors: [jobsConnector], env: { ...common, CONNECTOR_PROXY_QUEUE_URL: await freshRedisDatabase(REDIS_DATABASE) } }),
  unavailable ?? false,
);

/** A TCP forwarder to Redis that can be cut (every connection dropped, new ones refused) and restored on the same port. */
class Forwarder {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(6379, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

describe('GET /readyz on Redis', { skip: unavailable ?? false }, () => {
  test('not ready while Redis does not answer, ready again once it does', async () => {
    await freshRedisDatabase(REDIS_DATABASE);
    const forwarder = new Forwarder();
    await forwarder.open();
    const proxy = await startProxy({ connectors: [http], env: { ...common, CONNECTOR_PROXY_QUEUE_URL: `redis://127.0.0.1:${forwarder.port}/${REDIS_DATABASE}` } });
    try {
      assert.equal((await call(proxy.url, '/readyz')).status, 200);
      await forwarder.cut();
      const down = await call(proxy.url, '/readyz');
      assert.equal(down.status, 503);
      assert.match(String(down.json.reason), /job store does not answer/);
      await forwarder.open();
      let again = 0;
      for (let tries = 0; tries < 100 && again !== 200; tries += 1) {
        again = (await call(proxy.url, '/readyz')).status;
        if (again !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(again, 200, 'ready again after Redis is back');
    } finally {
      await proxy.close();
      await forwarder.cut();
    }
  });
});
