import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const SLOW_CONNECTOR = fileURLToPath(new URL('./fixtures/slow-connector.mjs', import.meta.url));
const NOT_A_CONNECTOR = fileURLToPath(new URL('./fixtures/not-a-connector.mjs', import.meta.url));

interface Run {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
}

/** Starts the built command-line entry as a user would, with a clean environment. */
function runCli(args: string[], env: Record<string, string> = {}): Run {
  assert.ok(existsSync(CLI), `${CLI} is missing: run \`npm run build\` first (npm test does)`);
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function exitOf(run: Run, timeoutMs = 10_000): Promise<number | null> {
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(run.child, 'exit')) as [number | null];
  clearTimeout(timer);
  return code;
}

/** Waits for the "listening at" line and returns the base URL. */
async function listeningUrl(run: Run, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = /connector-proxy listening at (http:\/\/[^"\s]+)/.exec(run.output());
    if (match?.[1] !== undefined) return match[1];
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  run.child.kill('SIGKILL');
  throw new Error(`the proxy did not start:\n${run.output()}`);
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
});
