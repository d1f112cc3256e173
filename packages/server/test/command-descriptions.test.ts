import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defineCommand, defineConnector, Type } from '@connector-proxy/sdk';
import { BUILT_IN_CONNECTORS, startProxy, type RunningProxy } from '@connector-proxy/server';
import { call } from './fixtures/proxy-client.js';

interface ListedParameter {
  id: string;
  type: string;
  required: boolean;
  description?: unknown;
}

interface ListedCommand {
  id: string;
  description?: unknown;
  parameters: ListedParameter[];
}

/** The connectors this project ships: the built-in ones and the template a newcomer copies. */
const SHIPPED_CONNECTORS = [...BUILT_IN_CONNECTORS, 'example'];

/** Longer than this and it is no longer a line in the editor's form, but documentation. */
const MAX_DESCRIPTION_LENGTH = 300;

async function listing(proxy: RunningProxy): Promise<ListedCommand[]> {
  const { status, json } = await call(proxy.url, '/v1/commands');
  assert.equal(status, 200);
  return json as unknown as ListedCommand[];
}

/** What is wrong with a description, or undefined when it is one. */
function descriptionProblem(description: unknown): string | undefined {
  if (typeof description !== 'string') return 'has no description';
  if (description.trim() === '') return 'has an empty description';
  if (description.length > MAX_DESCRIPTION_LENGTH) return `has a description of ${description.length} characters (at most ${MAX_DESCRIPTION_LENGTH})`;
  return undefined;
}

describe('descriptions in GET /v1/commands', () => {
  let proxy: RunningProxy;
  let commands: ListedCommand[];

  before(async () => {
    // The proxy as `npm start` makes it (the built-in connectors, loaded by name), plus the example.
    proxy = await startProxy({ env: { CONNECTOR_PROXY_CONNECTORS: '@connector-proxy/connector-example', CONNECTOR_PROXY_LOG_LEVEL: 'silent' } });
    commands = await listing(proxy);
  });
  after(() => proxy.close());

  test('every shipped connector is listed', () => {
    for (const connector of SHIPPED_CONNECTORS) {
      assert.ok(commands.some((command) => command.id.startsWith(`${connector}/`)), `${connector} has commands in the listing`);
    }
  });

  test('every command and every parameter of the shipped connectors has a short, non-empty description', () => {
    const problems: string[] = [];
    for (const command of commands) {
      const commandProblem = descriptionProblem(command.description);
      if (commandProblem) problems.push(`${command.id} ${commandProblem}`);
      for (const parameter of command.parameters) {
        const parameterProblem = descriptionProblem(parameter.description);
        if (parameterProblem) problems.push(`${command.id} parameter ${parameter.id} ${parameterProblem}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  test('run_async, which the proxy adds, is described where it is offered', () => {
    const offering = commands.filter((command) => command.parameters.some((parameter) => parameter.id === 'run_async'));
    assert.ok(offering.length >= 12, 'every HTTP command offers run_async');
    for (const command of offering) {
      const runAsync = command.parameters.find((parameter) => parameter.id === 'run_async');
      assert.match(String(runAsync?.description), /background/, command.id);
    }
  });

  test('a description is one more field beside the protocol fields', () => {
    const get = commands.find((command) => command.id === 'http/GetRequest');
    assert.deepEqual(Object.keys(get ?? {}), ['id', 'description', 'parameters']);
    assert.deepEqual(Object.keys(get?.parameters[0] ?? {}), ['id', 'type', 'required', 'description']);
  });
});

describe('a connector that declares no descriptions', () => {
  let proxy: RunningProxy;

  before(async () => {
    const bare = defineCommand({
      name: 'Bare',
      parameters: { plain: Type.String(), blank: Type.Optional(Type.Integer({ description: '  ' })) },
      async run() {
        return { body: {} };
      },
    });
    const described = defineCommand({
      name: 'Described',
      description: 'Does one thing',
      parameters: { value: Type.String({ description: 'The value, e.g. 7' }) },
      async run() {
        return { body: {} };
      },
    });
    proxy = await startProxy({ connectors: [defineConnector({ name: 'bare', commands: [bare, described] })], env: { CONNECTOR_PROXY_LOG_LEVEL: 'silent' } });
  });
  after(() => proxy.close());

  test('still loads, and is listed without the description field (none, empty or blank)', async () => {
    const commands = await listing(proxy);
    assert.deepEqual(commands, [
      {
        id: 'bare/Bare',
        parameters: [
          { id: 'plain', type: 'str', required: true },
          { id: 'blank', type: 'int', required: false },
        ],
      },
      { id: 'bare/Described', description: 'Does one thing', parameters: [{ id: 'value', type: 'str', required: true, description: 'The value, e.g. 7' }] },
    ]);
  });

  test('its commands run as before', async () => {
    const { status, json } = await call(proxy.url, '/v1/do/bare/Bare', { body: { plain: 'x' } });
    assert.equal(status, 200);
    assert.equal(json.error, null);
  });
});
