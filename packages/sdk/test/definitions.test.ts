import assert from 'node:assert/strict';
import { lookup } from 'node:dns';
import { describe, test } from 'node:test';
import {
  commandError,
  commandErrorWith,
  defineCommand,
  defineConnector,
  describeParameters,
  descriptionOf,
  invalidParameters,
  isCommandError,
  isConnector,
  reportedCommandError,
  Type,
} from '@connector-proxy/sdk';

describe('parameters', () => {
  test('one declaration gives the /v1/commands descriptors, in order', () => {
    const command = defineCommand({
      name: 'Example',
      parameters: {
        url: Type.String({ description: 'The URL to call' }),
        port: Type.Optional(Type.Integer({ description: 'The port, e.g. 8080' })),
        tls: Type.Optional(Type.Boolean()),
        format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('raw')], { description: 'json or raw' })),
        data: Type.Optional(Type.Any({ description: '' })),
        ratio: Type.Optional(Type.Number({ description: ' \n ' })),
      },
      async run() {
        return { body: {} };
      },
    });
    assert.deepEqual(describeParameters(command.parameters), [
      { id: 'url', type: 'str', required: true, description: 'The URL to call' },
      { id: 'port', type: 'int', required: false, description: 'The port, e.g. 8080' },
      { id: 'tls', type: 'bool', required: false },
      { id: 'format', type: 'str', required: false, description: 'json or raw' },
      { id: 'data', type: 'any', required: false },
      { id: 'ratio', type: 'any', required: false },
    ]);
  });

  test('a description is kept as written; none, an empty or a blank one is no description', () => {
    assert.equal(descriptionOf(Type.String({ description: '  Padded, kept as written ' })), '  Padded, kept as written ');
    for (const schema of [Type.String(), Type.String({ description: '' }), Type.String({ description: '\t' }), { description: 42 }]) {
      assert.equal(descriptionOf(schema), undefined, JSON.stringify(schema));
    }
    const command = defineCommand({ name: 'Quiet', parameters: {}, run: async () => ({ body: {} }) });
    assert.equal(descriptionOf(command), undefined, 'a command declared without one');
  });
});

describe('errors', () => {
  test('commandError makes a recognisable error with its code and statuses', () => {
    const error = commandError({ code: 'HttpError404', httpStatus: 404, message: 'not found', body: { a: 1 } });
    assert.equal(isCommandError(error), true);
    assert.equal(error.code, 'HttpError404');
    assert.equal(error.status, 200);
    assert.equal(error.httpStatus, 404);
    assert.deepEqual(error.body, { a: 1 });
    assert.equal(isCommandError(new Error('plain')), false);
    assert.equal(isCommandError({ code: 'HttpError404' }), false, 'a look-alike object is not a command error');
  });

  test('invalidParameters is a 400 naming every parameter', () => {
    const error = invalidParameters([{ parameter: 'url', message: 'is required' }, { parameter: 'body_format', message: 'must be one of json, form' }]);
    assert.equal(error.code, 'invalid_parameters');
    assert.equal(error.status, 400);
    assert.equal(error.message, 'Invalid parameters: url is required; body_format must be one of json, form');
    assert.deepEqual(error.parameters, ['url', 'body_format'], 'the names, for the proxy to log without the values');
  });

  test('commandErrorWith keeps every field of the error and adds the new ones', () => {
    const failed = invalidParameters([{ parameter: 'url', message: 'is required' }]);
    const tokenRefresh = { auth: 'github/OAuth', tokenSet: { access_token: 'new' } };
    const error = commandErrorWith(failed, { tokenRefresh });
    assert.equal(isCommandError(error), true);
    assert.deepEqual(
      [error.code, error.status, error.message, error.parameters, error.tokenRefresh],
      ['invalid_parameters', 400, 'Invalid parameters: url is required', ['url'], tokenRefresh],
    );
    assert.equal(error.cause, failed, 'the original stays reachable for the log');
  });

  test('reportedCommandError finds a command error as the error or its cause, and nothing else', () => {
    const denied = commandError({ code: 'EgressDenied', httpStatus: 403, message: 'not allowed' });
    assert.equal(reportedCommandError(denied), denied);
    assert.equal(reportedCommandError(new TypeError('fetch failed', { cause: denied })), denied, 'as an HTTP client wraps a lookup failure');
    assert.equal(reportedCommandError(new Error('connect ECONNREFUSED', { cause: new Error('inner') })), undefined);
    assert.equal(reportedCommandError(null), undefined);
    assert.equal(reportedCommandError('a string'), undefined);
  });
});

describe('connectors', () => {
  test('defineConnector gives a connector with default setup and close', async () => {
    const connector = defineConnector({ name: 'demo', commands: [] });
    assert.equal(isConnector(connector), true);
    const egress = { lookup, assertHostAllowed: () => undefined };
    assert.equal(await connector.setup({ env: {}, settings: { httpTimeoutMs: 1, maxResponseBytes: 1, egress }, log: console }), undefined);
    assert.equal(isConnector({ name: 'demo', commands: [] }), false);
  });
});
