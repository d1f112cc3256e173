import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startProxy, type RunningProxy } from '@connector-proxy/server';
import example, { ExampleErrorCodes } from '@connector-proxy/connector-example';

/** Calls a command through the real proxy, as the workflow engine does. */
async function run(proxy: RunningProxy, params: Record<string, unknown>): Promise<{ status: number; json: any }> {
  const response = await fetch(`${proxy.url}/v1/do/example/Greet`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...params, spiff__task_data: {} }),
  });
  return { status: response.status, json: await response.json() };
}

describe('example/Greet', () => {
  let proxy: RunningProxy;
  before(async () => {
    proxy = await startProxy({ connectors: [example], env: { CONNECTOR_PROXY_EXAMPLE_GREETINGS: 'es=Hola', CONNECTOR_PROXY_LOG_LEVEL: 'silent' } });
  });
  after(() => proxy.close());

  test('is listed with its parameters', async () => {
    const commands = (await (await fetch(`${proxy.url}/v1/commands`)).json()) as Array<{ id: string; parameters: unknown }>;
    assert.deepEqual(commands.find((c) => c.id === 'example/Greet')?.parameters, [
      { id: 'name', type: 'str', required: true },
      { id: 'language', type: 'str', required: false },
      { id: 'times', type: 'int', required: false },
    ]);
  });

  test('greets, in a language configured from the environment too', async () => {
    assert.equal((await run(proxy, { name: 'Ada' })).json.command_response.body.greeting, 'Hello, Ada!');
    assert.equal((await run(proxy, { name: 'Ada', language: 'es', times: 2 })).json.command_response.body.greeting, 'Hola, Ada! Hola, Ada!');
  });

  test('an unknown language is a 400 with the connector’s own code', async () => {
    const { status, json } = await run(proxy, { name: 'Ada', language: 'xx' });
    assert.equal(status, 400);
    assert.equal(json.error.error_code, ExampleErrorCodes.unknownLanguage);
  });

  test('a missing name is a 400 invalid_parameters naming it', async () => {
    const { status, json } = await run(proxy, {});
    assert.equal(status, 400);
    assert.match(json.error.message, /name is required/);
  });
});
