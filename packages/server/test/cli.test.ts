import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { CLI, exitOf, listeningUrl, logRecords, runCli, waitForOutput, watch, type CliRun } from './fixtures/cli-process.js';

const SLOW_CONNECTOR = fileURLToPath(new URL('./fixtures/slow-connector.mjs', import.meta.url));
const NOT_A_CONNECTOR = fileURLToPath(new URL('./fixtures/not-a-connector.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SERVER_PACKAGE = fileURLToPath(new URL('../', import.meta.url));

/** A TCP server holding a port of 127.0.0.1, as another program would. */
async function holdPort(): Promise<Server & { port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(server, { port: (server.address() as { port: number }).port });
}

/** A port of 127.0.0.1 nothing listens on now. */
async function freePort(): Promise<number> {
  const server = await holdPort();
  await new Promise((resolve) => server.close(resolve));
  return server.port;
}

/** True when something accepts connections on 127.0.0.1:port. */
function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Every process descended from `pid`, read from /proc (Linux). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    parents.set(parent, [...(parents.get(parent) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const pending = [pid];
  while (pending.length > 0) {
    for (const child of parents.get(pending.pop() as number) ?? []) {
      found.push(child);
      pending.push(child);
    }
  }
  return found;
}

/** The warnings about listening beyond loopback unprotected. */
function exposureWarnings(run: CliRun): string[] {
  return logRecords(run)
    .filter((r) => r.level === 'warn' && String(r.msg).startsWith('listening on '))
    .map((r) => String(r.msg));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

describe('the connector-proxy command', () => {
  test('--help describes the options', async () => {
    const run = runCli(['--help']);
    assert.equal(await exitOf(run), 0);
    assert.match(run.output(), /Usage: connector-proxy/);
    assert.match(run.output(), /--port/);
  });

  test('serves on the given port and host, and exits 0 on SIGTERM after finishing a call in flight', async () => {
    const run = runCli(['--port', '0', '--host', '127.0.0.1'], { CONNECTOR_PROXY_CONNECTORS: SLOW_CONNECTOR });
    const url = await listeningUrl(run);
    const commands = (await (await fetch(`${url}/v1/commands`)).json()) as Array<{ id: string }>;
    assert.ok(commands.some((c) => c.id === 'http/GetRequest'), 'built-in connectors are served');
    assert.ok(commands.some((c) => c.id === 'slow/Sleep'), 'CONNECTOR_PROXY_CONNECTORS are loaded');

    const inFlight = fetch(`${url}/v1/do/slow/Sleep`, { method: 'POST', body: JSON.stringify({ ms: 700 }), headers: { 'content-type': 'application/json' } });
    await new Promise((resolve) => setTimeout(resolve, 150));
    run.child.kill('SIGTERM');
    const answer = await inFlight;
    assert.equal(answer.status, 200);
    assert.equal(((await answer.json()) as { command_response: { body: { slept: number } } }).command_response.body.slept, 700);
    assert.equal(await exitOf(run), 0);
  });

  test('the bundled entry finds its package files: the version, the OpenAPI document and the explorer page', async () => {
    const version = (JSON.parse(readFileSync(path.join(SERVER_PACKAGE, 'package.json'), 'utf8')) as { version: string }).version;
    const printed = runCli(['--version']);
    assert.equal(await exitOf(printed), 0);
    assert.equal(printed.output(), `${version}\n`);

    const run = runCli(['--port', '0', '--host', '127.0.0.1'], { CONNECTOR_PROXY_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'cli-files-')) });
    try {
      const url = await listeningUrl(run);
      const openapi = (await (await fetch(`${url}/openapi.json`)).json()) as { info: { version: string } };
      assert.equal(openapi.info.version, version);
      const page = await fetch(`${url}/explorer`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<html/i);
      const script = await fetch(`${url}/explorer/explorer.js`);
      assert.equal(script.status, 200, 'the compiled browser script is served');
    } finally {
      run.child.kill('SIGTERM');
      await exitOf(run);
    }
  });

  test('the bundled entry loads the AWS SDK, left outside the bundle, on the first aws call', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const run = runCli(['--port', '0', '--host', '127.0.0.1'], {
      CONNECTOR_PROXY_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'cli-aws-')),
      AWS_ENDPOINT_URL: closed,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    try {
      const url = await listeningUrl(run);
      const answer = await fetch(`${url}/v1/do/aws/ScanDynamoTable`, { method: 'POST', body: JSON.stringify({ table_name: 'orders' }), headers: { 'content-type': 'application/json' } });
      const envelope = (await answer.json()) as { error: { error_code: string } | null };
      // Unreachable means the SDK was found, loaded and tried the endpoint.
      assert.equal(envelope.error?.error_code, 'AwsUnreachable', JSON.stringify(envelope));
    } finally {
      run.child.kill('SIGTERM');
      await exitOf(run);
    }
  });

  test('a bad setting stops the start with a message naming the variable', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ PORT: 'http' }, /PORT must be a whole number/],
      [{ CONNECTOR_PROXY_API_KEY: '' }, /CONNECTOR_PROXY_API_KEY is set but empty/],
      [{ CONNECTOR_PROXY_CONNECTORS: NOT_A_CONNECTOR }, /not-a-connector\.mjs, whose default export is not a connector/],
      [{ CONNECTOR_PROXY_CONNECTORS: 'no-such-connector-package' }, /no-such-connector-package, which could not be loaded/],
    ];
    for (const [env, message] of cases) {
      const run = runCli([], env);
      assert.equal(await exitOf(run), 1, JSON.stringify(env));
      assert.match(run.output(), message);
      assert.doesNotMatch(run.output(), /\n\s+at /, 'no stack trace for a configuration mistake');
    }
  });

  test('a port in use is one line on standard error and exit 1, without a stack', async () => {
    const taken = await holdPort();
    try {
      const run = runCli(['--port', String(taken.port), '--host', '127.0.0.1'], { CONNECTOR_PROXY_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'cli-port-')) });
      assert.equal(await exitOf(run), 1);
      assert.equal(run.errors(), `connector-proxy: PORT ${taken.port} is already in use on 127.0.0.1: stop what listens there, or choose another port (EADDRINUSE)\n`);
      assert.deepEqual(exposureWarnings(run), [], 'no exposure warning on loopback');
    } finally {
      taken.close();
    }
  });

  test('a bad HOST is one line on standard error and exit 1, without a stack', async () => {
    const cases: Array<[string, RegExp]> = [
      ['192.0.2.1', /^connector-proxy: HOST 192\.0\.2\.1 is not an address of this machine: .*\(EADDRNOTAVAIL\)\n$/],
      ['no-such-host.invalid', /^connector-proxy: HOST no-such-host\.invalid is not a known host name or address \(ENOTFOUND\)\n$/],
    ];
    for (const [host, line] of cases) {
      const run = runCli(['--port', '0', '--host', host], { CONNECTOR_PROXY_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'cli-host-')) });
      assert.equal(await exitOf(run), 1, host);
      assert.match(run.errors(), line);
    }
  });

  // The proxy is kept from listening beyond loopback by a port already held on 127.0.0.1: a
  // wildcard address cannot take it, so the warnings are seen and nothing is exposed.
  test('listening beyond loopback without an API key or an egress allow-list warns once for each', async () => {
    const taken = await holdPort();
    try {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'cli-exposed-'));
      const open = runCli(['--port', String(taken.port), '--host', '0.0.0.0'], { CONNECTOR_PROXY_DATA_DIR: dataDir });
      assert.equal(await exitOf(open), 1);
      const warnings = exposureWarnings(open);
      assert.equal(warnings.length, 2, warnings.join('\n'));
      assert.match(warnings[0] ?? '', /^listening on 0\.0\.0\.0 without an API key: .*CONNECTOR_PROXY_API_KEY/);
      assert.match(warnings[1] ?? '', /^listening on 0\.0\.0\.0 without an egress allow-list: .*CONNECTOR_PROXY_EGRESS_ALLOW/);

      const guarded = runCli(['--port', String(taken.port), '--host', '0.0.0.0'], { CONNECTOR_PROXY_DATA_DIR: dataDir, CONNECTOR_PROXY_API_KEY: 'k'.repeat(32), CONNECTOR_PROXY_EGRESS_ALLOW: 'api.example.com' });
      assert.equal(await exitOf(guarded), 1);
      assert.deepEqual(exposureWarnings(guarded), []);
    } finally {
      taken.close();
    }
  });

  // `script` (util-linux) gives the proxy a terminal as its standard output, as a person's shell does.
  test('at a terminal, lines are pretty by default (and in a pipe JSON, as every other test here sees)', async (t) => {
    if (!existsSync('/usr/bin/script')) {
      assert.notEqual(process.env.CI, 'true', '/usr/bin/script (util-linux) is needed in CI');
      t.skip('no /usr/bin/script to give the proxy a terminal');
      return;
    }
    const taken = await holdPort();
    try {
      const command = `${process.execPath} ${CLI} --port ${taken.port} --host 127.0.0.1`;
      const run = watch(spawn('/usr/bin/script', ['-qfec', command, '/dev/null'], { env: { PATH: process.env.PATH ?? '', TERM: 'dumb', CONNECTOR_PROXY_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'cli-tty-')) } }));
      assert.equal(await exitOf(run), 1, run.output());
      const text = run.output().replace(/\x1b\[[0-9;]*m/g, '').replace(/\r/g, '');
      assert.match(text, /^\[\d{4}-\d{2}-\d{2} [\d:.]+\] INFO: aws connector ready/m);
      assert.doesNotMatch(text, /^\{/m, 'no JSON line at a terminal');
      assert.match(text, /^connector-proxy: PORT \d+ is already in use/m);
    } finally {
      taken.close();
    }
  });

  test('the installed `connector-proxy` command works in a checkout: npm links a file that exists before any build', async () => {
    const manifest = JSON.parse(readFileSync(path.join(SERVER_PACKAGE, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
    const bin = manifest.bin['connector-proxy'] ?? '';
    assert.doesNotMatch(bin, /dist\//, 'npm links no bin whose file is missing at install time, and dist/ is built after');
    assert.ok(manifest.files.includes(bin.replace(/^\.\//, '').split('/')[0] ?? ''), 'the bin is published');
    const run = watch(spawn(path.join(REPO, 'node_modules/.bin/connector-proxy'), ['--help'], { cwd: REPO, env: { PATH: process.env.PATH ?? '' } }));
    assert.equal(await exitOf(run), 0, run.output());
    assert.match(run.output(), /^Usage: connector-proxy/);
    assert.match(run.output(), /--log-format/);
  });

  test('SIGTERM to `npm start` stops the server: the port is free and no process of it is left', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cli-npm-start-'));
    const npm = watch(
      spawn('npm', ['start'], {
        cwd: REPO,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), PORT: String(port), HOST: '127.0.0.1', CONNECTOR_PROXY_DATA_DIR: dataDir },
      }),
    );
    try {
      // `npm start` builds first: up to date, that takes seconds, on a busy machine more.
      await listeningUrl(npm, 90_000);
      const processes = descendants(npm.child.pid as number);
      assert.ok(processes.length > 0);
      npm.child.kill('SIGTERM');
      await exitOf(npm, 30_000);
      await waitForOutput(npm, 'the stopped line', (r) => (/"msg":"stopped"/.test(r.output()) ? true : undefined), 5_000);
      assert.equal(await isListening(port), false, 'nothing listens on the port any more');
      const left = processes.filter(isAlive);
      assert.deepEqual(left, [], `processes left running: ${left.join(', ')}`);
    } finally {
      for (const pid of descendants(npm.child.pid as number)) process.kill(pid, 'SIGKILL');
      npm.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
