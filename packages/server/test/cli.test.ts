import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { exitOf, listeningUrl, runCli } from './fixtures/cli-process.js';

const SLOW_CONNECTOR = fileURLToPath(new URL('./fixtures/slow-connector.mjs', import.meta.url));
const NOT_A_CONNECTOR = fileURLToPath(new URL('./fixtures/not-a-connector.mjs', import.meta.url));

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
