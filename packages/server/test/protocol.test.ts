import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startProxy, type RunningProxy } from '@connector-proxy/server';
import { call, LogCapture } from './fixtures/proxy-client.js';
import { testConnector } from './fixtures/test-connector.js';

describe('the protocol endpoints', () => {
  let proxy: RunningProxy;
  const logs = new LogCapture();

  before(async () => {
    proxy = await startProxy({ connectors: [testConnector], env: { CONNECTOR_PROXY_COMMAND_TIMEOUT_MS: '300', CONNECTOR_PROXY_MAX_BODY_BYTES: '2048' }, logStream: logs });
  });
  after(() => proxy.close());

  test('GET /v1/commands lists each command with typed parameters, and descriptions where declared', async () => {
    const { status, json } = await call(proxy.url, '/v1/commands');
    assert.equal(status, 200);
    const commands = json as unknown as Array<{ id: string; description?: string; parameters: unknown }>;
    const echo = commands.find((c) => c.id === 'test/Echo');
    assert.equal(echo?.description, 'Answers its parameters and context');
    assert.equal('description' in (commands.find((c) => c.id === 'test/Fail') ?? {}), false, 'none declared, none listed');
    assert.deepEqual(echo?.parameters, [
      { id: 'message', type: 'str', required: true, description: 'The text to echo' },
      { id: 'times', type: 'int', required: false },
      { id: 'loud', type: 'bool', required: false },
      { id: 'extra', type: 'any', required: false },
    ]);
  });

  test('GET /v1/auths answers an empty array', async () => {
    const { status, json } = await call(proxy.url, '/v1/auths');
    assert.equal(status, 200);
    assert.deepEqual(json, []);
  });

  test('liveness answers on both paths, and / points at /v1/commands', async () => {
    for (const path of ['/liveness', '/v1/liveness']) {
      const { status, json } = await call(proxy.url, path);
      assert.equal(status, 200);
      assert.equal(json.status, 'ok');
    }
    const root = await call(proxy.url, '/');
    assert.equal(root.status, 200);
    assert.equal(root.json.commands, '/v1/commands');
  });

  test('a command that ran is a version-2 envelope with its logs', async () => {
    const { status, json } = await call(proxy.url, '/v1/do/test/Echo', { body: { message: 'hi' } });
    assert.equal(status, 200);
    assert.equal(json.command_response_version, 2);
    assert.equal(json.error, null);
    assert.equal(json.command_response.mimetype, 'application/json');
    assert.deepEqual(json.command_response.headers, {});
    assert.equal('http_status' in json.command_response, false, 'no third party, no http_status');
    assert.deepEqual(json.spiff__logs, ['INFO echoing hi']);
  });

  test('spiff__ keys become context, never parameters', async () => {
    const { json } = await call(proxy.url, '/v1/do/test/Echo', {
      body: {
        message: 'hi',
        spiff__task_data: { order: 42 },
        spiff__process_instance_id: 7,
        spiff__process_model_identifier: 'group/model',
        spiff__task_id: 'abc',
        spiff__callback_url: 'http://127.0.0.1:1/callback',
        stray: 'ignored',
      },
    });
    const body = json.command_response.body as Record<string, unknown>;
    assert.deepEqual(body.params, { message: 'hi' });
    assert.deepEqual(body.task_data, { order: 42 });
    assert.deepEqual(body.task, { processInstanceId: 7, processModelIdentifier: 'group/model', taskId: 'abc' });
    assert.equal(body.callback_url, 'http://127.0.0.1:1/callback');
  });

  test('optional parameters sent as null are treated as absent', async () => {
    const { status, json } = await call(proxy.url, '/v1/do/test/Echo', { body: { message: 'hi', times: null, loud: null } });
    assert.equal(status, 200);
    assert.deepEqual((json.command_response.body as { params: unknown }).params, { message: 'hi' });
  });

  test('values of the wrong JSON type but the right meaning are converted', async () => {
    const { status, json } = await call(proxy.url, '/v1/do/test/Echo', { body: { message: 12, times: '3', loud: 'true' } });
    assert.equal(status, 200);
    assert.deepEqual((json.command_response.body as { params: unknown }).params, { message: '12', times: 3, loud: true });
  });

  test('bad parameters are a 400 naming every one of them', async () => {
    const { status, json } = await call(proxy.url, '/v1/do/test/Echo', { body: { times: 9, loud: 'maybe' } });
    assert.equal(status, 400);
    assert.equal(json.error?.error_code, 'invalid_parameters');
    assert.match(json.error?.message ?? '', /message is required/);
    assert.match(json.error?.message ?? '', /times must be at most 5/);
    assert.match(json.error?.message ?? '', /loud must be true or false/);
  });

  test('only unambiguous conversions are made: 2.5 is not a whole number', async () => {
    const { status, json } = await call(proxy.url, '/v1/do/test/Echo', { body: { message: 'hi', times: 2.5 } });
    assert.equal(status, 400);
    assert.match(json.error?.message ?? '', /times must be a whole number/);
  });

  test('a body that is not a JSON object is a 400 invalid_body', async () => {
    for (const rawBody of ['[1,2]', '"text"', '{not json', '']) {
      const { status, json } = await call(proxy.url, '/v1/do/test/Echo', { method: 'POST', rawBody });
      assert.equal(status, 400, `body ${JSON.stringify(rawBody)}`);
      assert.equal(json.error?.error_code, 'invalid_body');
      assert.equal(json.command_response_version, 2);
    }
  });

  test('a body without a JSON content type is a 415 unsupported_media_type (a browser sends text/plain cross-site without a preflight)', async () => {
    const response = await fetch(`${proxy.url}/v1/do/test/Echo`, { method: 'POST', body: '{"message":"plain"}', headers: { 'content-type': 'text/plain' } });
    assert.equal(response.status, 415);
    const envelope = (await response.json()) as { error: { error_code: string } | null };
    assert.equal(envelope.error?.error_code, 'unsupported_media_type');
  });

  test('a body over the limit is a 413 that says the limit', async () => {
    const { status, json } = await call(proxy.url, '/v1/do/test/Echo', { body: { message: 'x'.repeat(4096) } });
    assert.equal(status, 413);
    assert.equal(json.error?.error_code, 'payload_too_large');
    assert.match(json.error?.message ?? '', /2048 bytes/);
  });

  test('an unknown command or connector is a 404 command_not_found', async () => {
    for (const path of ['/v1/do/test/Nope', '/v1/do/nope/Echo']) {
      const { status, json } = await call(proxy.url, path, { body: {} });
      assert.equal(status, 404);
      assert.equal(json.error?.error_code, 'command_not_found');
    }
  });

  test('an unknown route is a 404 envelope', async () => {
    const { status, json } = await call(proxy.url, '/v2/whatever');
    assert.equal(status, 404);
    assert.equal(json.error?.error_code, 'route_not_found');
  });

  test('a third-party failure is a 200 whose envelope carries its status, body and code', async () => {
    const { status, json, headers } = await call(proxy.url, '/v1/do/test/Fail', { body: { status: 429 } });
    assert.equal(status, 200);
    assert.equal(json.command_response.http_status, 429);
    assert.deepEqual(json.command_response.body, { detail: 'kept' });
    assert.deepEqual(json.error, { error_code: 'Upstream429', message: 'the upstream answered 429' });
    assert.equal(headers.get('retry-after'), '7');
  });

  test('a bug is a 500 internal_error and the process keeps serving', async () => {
    const { status, json } = await call(proxy.url, '/v1/do/test/Crash', { body: {} });
    assert.equal(status, 500);
    assert.equal(json.error?.error_code, 'internal_error');
    assert.doesNotMatch(json.error?.message ?? '', /cannot read properties/, 'no internals in the envelope');
    assert.match(logs.text, /cannot read properties of undefined/, 'the details are logged');
    const again = await call(proxy.url, '/v1/do/test/Echo', { body: { message: 'still here' } });
    assert.equal(again.status, 200);
  });

  test('a command that outlives its deadline is answered command_timeout (504)', async () => {
    const started = Date.now();
    const { status, json } = await call(proxy.url, '/v1/do/test/Hang', { body: {} });
    assert.equal(status, 200);
    assert.equal(json.error?.error_code, 'command_timeout');
    assert.equal(json.command_response.http_status, 504);
    assert.ok(Date.now() - started < 5000);
  });

  test("a command listening to its signal is told at the deadline, and its own error is the answer", async () => {
    const { status, json } = await call(proxy.url, '/v1/do/test/AwaitAbort', { body: {} });
    assert.equal(status, 200);
    assert.equal(json.error?.error_code, 'StoppedAtDeadline');
  });

  test('each call is logged once with its command, duration and outcome', async () => {
    await call(proxy.url, '/v1/do/test/Fail', { body: { status: 503 } });
    const line = logs.records().find((r) => r.msg === 'command call' && r.error_code === 'Upstream503');
    assert.ok(line, 'a log line for the call');
    assert.equal(line.command, 'test/Fail');
    assert.equal(line.outcome, 'error');
    assert.equal(line.http_status, 503);
    assert.equal(typeof line.duration_ms, 'number');
  });
});
