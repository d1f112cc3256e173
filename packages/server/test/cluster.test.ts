import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { CallbackReceiver } from './fixtures/callback-receiver.js';
import { exitOf, logRecords, runCli, waitForOutput, type CliRun } from './fixtures/cli-process.js';

const SLOW_CONNECTOR = fileURLToPath(new URL('./fixtures/slow-connector.mjs', import.meta.url));

interface SleepAnswer {
  status: number;
  pid: number;
}

/**
 * Calls slow/Sleep on a connection of its own: a kept-alive connection stays with one worker,
 * and the point is to see how new connections are spread. The fixture answers with its pid.
 */
function sleepCall(url: string, ms: number): Promise<SleepAnswer> {
  return new Promise((resolve, reject) => {
    const call = request(`${url}/v1/do/slow/Sleep`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        const envelope = JSON.parse(text) as { command_response: { body: { pid: number } } };
        resolve({ status: response.statusCode ?? 0, pid: envelope.command_response.body.pid });
      });
    });
    call.setTimeout(5_000, () => call.destroy(new Error('no answer within 5 s')));
    call.on('error', reject);
    call.end(JSON.stringify({ ms }));
  });
}

async function pidsAnswering(url: string, calls: number): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < calls; i += 1) {
    const answer = await sleepCall(url, 0);
    assert.equal(answer.status, 200);
    pids.add(answer.pid);
  }
  return pids;
}

/** Slot → pid of the worker the primary last started in it (the primary logs it; the API never shows it). */
function workerPids(run: CliRun): Map<number, number> {
  const pids = new Map<number, number>();
  for (const record of logRecords(run)) {
    if (record.msg === 'worker started') pids.set(record.slot as number, record.pid as number);
  }
  return pids;
}

function listeningCount(run: CliRun): number {
  return logRecords(run).filter((record) => typeof record.msg === 'string' && record.msg.startsWith('connector-proxy listening at')).length;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

describe('the connector-proxy command with --workers 2', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'connector-proxy-cluster-'));
  let run: CliRun;
  let url: string;
  let receiver: CallbackReceiver;

  before(async () => {
    receiver = await CallbackReceiver.start();
    run = runCli(['--workers', '2', '--port', '0', '--host', '127.0.0.1'], {
      CONNECTOR_PROXY_CONNECTORS: SLOW_CONNECTOR,
      CONNECTOR_PROXY_DATA_DIR: dataDir,
      CONNECTOR_PROXY_CALLBACK_BASE_DELAY_MS: '50',
    });
    await waitForOutput(run, 'both workers listening', (r) => (listeningCount(r) >= 2 ? true : undefined));
    url = /connector-proxy listening at (http:\/\/[^"\s]+)/.exec(run.output())?.[1] ?? '';
  });
  after(async () => {
    if (run.child.exitCode === null) run.child.kill('SIGKILL');
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('both worker processes answer calls, and neither is the primary', async () => {
    const pids = await pidsAnswering(url, 12);
    assert.deepEqual([...pids].sort(), [...workerPids(run).values()].sort());
    assert.equal(pids.size, 2);
    assert.ok(!pids.has(run.child.pid ?? 0), 'the primary serves nothing itself');
  });

  test('a worker killed with SIGKILL is replaced, and the service answers all along', async () => {
    const killed = workerPids(run).get(2) ?? 0;
    process.kill(killed, 'SIGKILL');
    const replacement = await waitForOutput(run, 'a replacement worker', (r) => {
      const pid = workerPids(r).get(2);
      return pid !== undefined && pid !== killed ? pid : undefined;
    });
    // Calls made while the replacement starts are served by the other worker.
    assert.ok(!(await pidsAnswering(url, 4)).has(killed));
    await waitForOutput(run, 'the replacement listening', (r) => (listeningCount(r) >= 3 ? true : undefined));
    assert.ok((await pidsAnswering(url, 12)).has(replacement), 'the replacement takes its share of calls');
  });

  test('a background job whose worker was killed is resumed by its replacement and delivered', async () => {
    const submitted = await fetch(`${url}/v1/do/slow/Background`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ms: 1500, spiff__callback_url: receiver.url('/cb/resumed'), spiff__task_data: {} }),
    });
    assert.equal(submitted.status, 202);
    // Each slot keeps its jobs in a folder of its own: slot 1 the data directory itself.
    const stores = [path.join(dataDir, 'jobs.sqlite'), path.join(dataDir, 'worker-2', 'jobs.sqlite')].map((file) => existsSync(file));
    assert.deepEqual(stores.filter(Boolean), [true], "only the accepting worker's store holds the job");
    const slot = stores[0] === true ? 1 : 2;
    const killed = workerPids(run).get(slot) ?? 0;
    process.kill(killed, 'SIGKILL');
    const delivery = await receiver.delivery('/cb/resumed', 20_000);
    const body = delivery.envelope.command_response.body as { slept: number; pid: number };
    assert.equal(body.slept, 1500);
    assert.notEqual(body.pid, killed, 'the replacement ran the job again');
    assert.equal(body.pid, workerPids(run).get(slot));
  });

  test('SIGTERM lets a call in flight finish, stops every worker and exits 0', async () => {
    await waitForOutput(run, 'all workers listening', (r) => (listeningCount(r) >= 4 ? true : undefined));
    const workers = [...workerPids(run).values()];
    const inFlight = sleepCall(url, 700);
    await new Promise((resolve) => setTimeout(resolve, 150));
    run.child.kill('SIGTERM');
    assert.equal((await inFlight).status, 200);
    assert.equal(await exitOf(run), 0);
    assert.deepEqual(workers.filter(isAlive), [], 'no worker outlives the primary');
  });
});

test('with --workers 2, a worker that cannot start stops the whole start with exit code 1', async () => {
  const run = runCli(['--workers', '2', '--port', '0'], { CONNECTOR_PROXY_CONNECTORS: 'no-such-connector-package' });
  assert.equal(await exitOf(run, 20_000), 1);
  assert.match(run.output(), /no-such-connector-package, which could not be loaded/);
  assert.match(run.output(), /a worker failed to start/);
});
