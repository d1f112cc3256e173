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

  test('is listed with its description and its parameters', async () => {
    const commands = (await (await fetch(`${proxy.url}/v1/commands`)).json()) as Array<{ id: string; description?: string; parameters: unknown }>;
    const greet = commands.find((c) => c.id === 'example/Greet');
    assert.match(greet?.description ?? '', /^Greets someone by name/);
    assert.deepEqual(greet?.parameters, [
      { id: 'name', type: 'str', required: true, description: 'Who to greet, e.g. Ada' },
      { id: 'language', type: 'str', required: false, description: 'A language code: en (the default), fr, de, or one added with CONNECTOR_PROXY_EXAMPLE_GREETINGS' },
      { id: 'times', type: 'int', required: false, description: 'How many times to greet, 1 to 3 (default 1)' },
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
