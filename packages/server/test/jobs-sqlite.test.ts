import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { startProxy, type RunningProxy } from '@connector-proxy/server';
import http from '@connector-proxy/connector-http';
import { CallbackReceiver, jobInState } from './fixtures/callback-receiver.js';
import { startCli } from './fixtures/cli-process.js';
import { call, LogCapture } from './fixtures/proxy-client.js';

const SLOW_CONNECTOR = fileURLToPath(new URL('./fixtures/slow-connector.mjs', import.meta.url));

/** An upstream answering JSON, counting calls; `/flaky` answers 503. */
async function startUpstream(): Promise<{ url: string; calls: () => number; close: () => Promise<void> }> {
  let calls = 0;
  const server: Server = createServer((request, response) => {
    calls += 1;
    const status = request.url === '/flaky' ? 503 : 200;
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ path: request.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: () => calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'connector-proxy-jobs-'));
}

describe('background jobs on SQLite', () => {
  let proxy: RunningProxy;
  let receiver: CallbackReceiver;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  const dataDir = tempDir();
  const logs = new LogCapture();

  before(async () => {
    receiver = await CallbackReceiver.start();
    upstream = await startUpstream();
    proxy = await startProxy({
      connectors: [http],
      env: {
        CONNECTOR_PROXY_DATA_DIR: dataDir,
        CONNECTOR_PROXY_CALLBACK_BASE_DELAY_MS: '40',
        CONNECTOR_PROXY_JOB_MAX_RUNS: '2',
        CONNECTOR_PROXY_CALLBACK_MAX_ATTEMPTS: '4',
      },
      logStream: logs,
    });
  });
  after(async () => {
    await proxy.close();
    await receiver.close();
    await upstream.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function submit(params: Record<string, unknown>, callbackPath: string) {
    return call(proxy.url, '/v1/do/http/GetRequest', { body: { ...params, run_async: true, spiff__callback_url: receiver.url(callbackPath), spiff__task_data: {} } });
  }

  test('run_async is listed as an optional bool on the HTTP commands', async () => {
    const { json } = await call(proxy.url, '/v1/commands');
    for (const command of json as unknown as Array<{ id: string; parameters: Array<{ id: string; description?: string }> }>) {
      const { description, ...runAsync } = command.parameters.find((p) => p.id === 'run_async') ?? { description: undefined };
      assert.deepEqual(runAsync, { id: 'run_async', type: 'bool', required: false }, command.id);
      assert.match(String(description), /background/, command.id);
    }
  });

  test('a background call answers 202 at once and PUTs the full envelope to the callback', async () => {
    const { status, json } = await submit({ url: `${upstream.url}/orders` }, '/cb/ok');
    assert.equal(status, 202);
    assert.equal(json.error, null);
    const body = json.command_response.body as { job_id: string; state: string; status_url: string };
    assert.equal(body.state, 'accepted');
    assert.equal(body.status_url, `/v1/jobs/${body.job_id}`);

    const delivery = await receiver.delivery('/cb/ok');
    assert.equal(delivery.headers['idempotency-key'], body.job_id);
    assert.equal(delivery.headers['content-type'], 'application/json');
    assert.equal(delivery.envelope.command_response_version, 2);
    assert.equal(delivery.envelope.error, null);
    assert.deepEqual(delivery.envelope.command_response.body, { path: '/orders' });
    assert.equal(delivery.envelope.command_response.http_status, 200);

    const final = await jobInState(proxy.url, body.job_id, 'delivered');
    assert.equal(final.runs, 1);
    assert.equal(final.delivery_attempts, 1);
    assert.equal(final.command, 'http/GetRequest');
    assert.equal('params' in final || 'result' in final, false, 'never parameters or results');
  });

  test('without a callback URL a background call is a 400 naming it, and nothing is stored', async () => {
    for (const callback of [undefined, 'not a url', 'ftp://127.0.0.1/x']) {
      const { status, json } = await call(proxy.url, '/v1/do/http/GetRequest', { body: { url: upstream.url, run_async: true, spiff__callback_url: callback } });
      assert.equal(status, 400, String(callback));
      assert.match(json.error?.message ?? '', /spiff__callback_url/);
    }
  });

  test('a callback answering 503 twice is retried with backoff until it accepts', async () => {
    receiver.answerWith([503, 503]);
    const { json } = await submit({ url: `${upstream.url}/retry` }, '/cb/retry');
    const id = (json.command_response.body as { job_id: string }).job_id;
    await receiver.delivery('/cb/retry');
    const final = await jobInState(proxy.url, id, 'delivered');
    assert.equal(final.delivery_attempts, 3);
    assert.equal(final.runs, 1, 'the command ran once: only delivery was retried');
  });

  test('a callback answering 404 ends the job as failed, with the reason', async () => {
    receiver.answerWith([404]);
    const { json } = await submit({ url: `${upstream.url}/gone` }, '/cb/gone');
    const id = (json.command_response.body as { job_id: string }).job_id;
    const final = await jobInState(proxy.url, id, 'failed');
    assert.match(String(final.last_error), /answered 404/);
    assert.equal(final.delivery_attempts, 1);
  });

  test('a transient failure of an idempotent command runs it again, up to CONNECTOR_PROXY_JOB_MAX_RUNS', async () => {
    const before = upstream.calls();
    const { json } = await submit({ url: `${upstream.url}/flaky` }, '/cb/flaky');
    const id = (json.command_response.body as { job_id: string }).job_id;
    const delivery = await receiver.delivery('/cb/flaky');
    assert.equal(delivery.envelope.error?.error_code, 'HttpError503');
    assert.equal(upstream.calls() - before, 2);
    assert.equal((await jobInState(proxy.url, id, 'delivered')).runs, 2);
    const warnings = logs.records().filter((r) => r.job === id && r.level === 'warn');
    assert.deepEqual(
      warnings.map((r) => [r.msg, r.error_code]),
      [
        ['job command failed transiently; it will run again', 'HttpError503'],
        ['job command failed: its third party did', 'HttpError503'],
      ],
    );
  });

  test('an unknown job is a 404 job_not_found', async () => {
    const { status, json } = await call(proxy.url, '/v1/jobs/00000000-0000-0000-0000-000000000000');
    assert.equal(status, 404);
    assert.equal(json.error?.error_code, 'job_not_found');
  });
});

describe('stored job data', () => {
  const secret = 'sk-live-do-not-store-in-clear';

  async function storeOneJob(env: Record<string, string>): Promise<string> {
    const dataDir = tempDir();
    const receiver = await CallbackReceiver.start();
    receiver.answerWith([404]); // the job ends without a second run: only storage matters here
    const proxy = await startProxy({ connectors: [http], env: { CONNECTOR_PROXY_DATA_DIR: dataDir, CONNECTOR_PROXY_LOG_LEVEL: 'silent', ...env } });
    try {
      const { json } = await call(proxy.url, '/v1/do/http/GetRequest', {
        body: { url: 'http://127.0.0.1:9/', headers: { 'X-Token': secret }, run_async: true, spiff__callback_url: receiver.url() },
      });
      await jobInState(proxy.url, (json.command_response.body as { job_id: string }).job_id, 'failed');
    } finally {
      await proxy.close();
      await receiver.close();
    }
    const bytes = readdirSync(dataDir).map((file) => readFileSync(path.join(dataDir, file)).toString('latin1')).join('');
    rmSync(dataDir, { recursive: true, force: true });
    return bytes;
  }

  test('with CONNECTOR_PROXY_SECRET_KEY parameters are encrypted at rest (the key as hex or as base64)', async () => {
    for (const key of ['a'.repeat(64), randomBytes(32).toString('base64')]) {
      const stored = await storeOneJob({ CONNECTOR_PROXY_SECRET_KEY: key });
      assert.doesNotMatch(stored, new RegExp(secret));
    }
  });

  test('without a key they are stored as they came (README says so)', async () => {
    const stored = await storeOneJob({});
    assert.match(stored, new RegExp(secret));
  });

  test('a key that is not 32 bytes in strict base64 or hex stops the start, saying how to make one', async () => {
    await assert.rejects(startProxy({ connectors: [http], env: { CONNECTOR_PROXY_SECRET_KEY: 'short' } }), /CONNECTOR_PROXY_SECRET_KEY must be 32 random bytes.*openssl rand -base64 32/);
  });
});

/** A file's or folder's permission bits, e.g. 0o600. */
function modeOf(file: string): number {
  return statSync(file).mode & 0o777;
}

describe('the data folder and its files', () => {
  test('are the owner\'s alone: an existing folder becomes 0700, the database and its -wal and -shm files 0600', async () => {
    const dataDir = tempDir();
    chmodSync(dataDir, 0o755);
    const file = path.join(dataDir, 'jobs.sqlite');
    // A database left by an earlier version: the first schema, made world-readable, still open (so -wal and -shm exist).
    const earlier = new Database(file);
    earlier.pragma('journal_mode = WAL');
    earlier.exec(`CREATE TABLE jobs (id TEXT PRIMARY KEY, command TEXT NOT NULL, state TEXT NOT NULL, payload TEXT NOT NULL, result TEXT,
      runs INTEGER NOT NULL DEFAULT 0, delivery_attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
      created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, next_at INTEGER NOT NULL)`);
    const files = [file, `${file}-wal`, `${file}-shm`];
    for (const made of files) chmodSync(made, 0o644);

    const receiver = await CallbackReceiver.start();
    const proxy = await startProxy({ connectors: [http], env: { CONNECTOR_PROXY_DATA_DIR: dataDir, CONNECTOR_PROXY_LOG_LEVEL: 'silent' } });
    try {
      const { json } = await call(proxy.url, '/v1/do/http/GetRequest', { body: { url: 'http://127.0.0.1:9/', run_async: true, spiff__callback_url: receiver.url('/cb/modes') } });
      const job = await jobInState(proxy.url, (json.command_response.body as { job_id: string }).job_id, 'delivered');
      assert.notEqual(job.started_at, null, 'the earlier file gained the started_at column');
      assert.equal(modeOf(dataDir).toString(8), '700');
      for (const made of files) assert.equal(modeOf(made).toString(8), '600', made);
    } finally {
      await proxy.close();
      await receiver.close();
      earlier.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a new folder and database are made 0700 and 0600', async () => {
    const dataDir = path.join(tempDir(), 'made-by-the-proxy');
    const receiver = await CallbackReceiver.start();
    const proxy = await startProxy({ connectors: [http], env: { CONNECTOR_PROXY_DATA_DIR: dataDir, CONNECTOR_PROXY_LOG_LEVEL: 'silent' } });
    try {
      const { json } = await call(proxy.url, '/v1/do/http/GetRequest', { body: { url: 'http://127.0.0.1:9/', run_async: true, spiff__callback_url: receiver.url('/cb/new') } });
      await jobInState(proxy.url, (json.command_response.body as { job_id: string }).job_id, 'delivered');
      assert.equal(modeOf(dataDir).toString(8), '700');
      for (const name of readdirSync(dataDir)) assert.equal(modeOf(path.join(dataDir, name)).toString(8), '600', name);
      assert.ok(readdirSync(dataDir).includes('jobs.sqlite-wal'), 'the -wal file was checked too');
    } finally {
      await proxy.close();
      await receiver.close();
      rmSync(path.dirname(dataDir), { recursive: true, force: true });
    }
  });
});

describe('a proxy killed mid-job', () => {
  test('runs the job again at the next start and delivers its result', async () => {
    const dataDir = tempDir();
    const receiver = await CallbackReceiver.start();
    const env = { CONNECTOR_PROXY_DATA_DIR: dataDir, CONNECTOR_PROXY_CONNECTORS: SLOW_CONNECTOR };
    try {
      const first = await startCli(env);
      const { status, json } = await call(first.url, '/v1/do/slow/Background', { body: { ms: 1500, spiff__callback_url: receiver.url('/cb/killed') } });
      assert.equal(status, 202);
      const id = (json.command_response.body as { job_id: string }).job_id;
      await jobInState(first.url, id, 'running');
      first.child.kill('SIGKILL');
      await new Promise((resolve) => first.child.once('exit', resolve));
      assert.equal(receiver.deliveries.length, 0, 'nothing was delivered before the kill');

      const second = await startCli(env);
      try {
        const delivery = await receiver.delivery('/cb/killed', 15_000);
        assert.equal(delivery.headers['idempotency-key'], id);
        assert.deepEqual((delivery.envelope.command_response.body as { slept: number }).slept, 1500);
        const final = await jobInState(second.url, id, 'delivered');
        assert.equal(final.runs, 2, 'the interrupted run and the resumed one');
      } finally {
        second.child.kill('SIGTERM');
        await new Promise((resolve) => second.child.once('exit', resolve));
      }
    } finally {
      await receiver.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
