import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startProxy, type RunningProxy } from '@connector-proxy/server';
import { call, LogCapture } from './fixtures/proxy-client.js';
import { testConnector } from './fixtures/test-connector.js';

const SECRET = 'hunter2-do-not-log-me';
const KEY = 'the-api-key-itself-is-a-secret';

describe('logging', () => {
  let proxy: RunningProxy;
  const logs = new LogCapture();

  before(async () => {
    proxy = await startProxy({ connectors: [testConnector], env: { CONNECTOR_PROXY_API_KEY: KEY, CONNECTOR_PROXY_LOG_LEVEL: 'debug' }, logStream: logs });
  });
  after(() => proxy.close());

  test('lines are JSON with an ISO time and the level by name', async () => {
    await call(proxy.url, '/v1/do/test/Echo', { body: { message: 'json please' }, headers: { 'spiff-connector-proxy-api-key': KEY } });
    const records = logs.records();
    assert.ok(records.length > 0);
    for (const record of records) {
      assert.ok(['trace', 'debug', 'info', 'warn', 'error', 'fatal'].includes(String(record.level)), `level ${String(record.level)}`);
      assert.match(String(record.time), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.ok(Math.abs(Date.parse(String(record.time)) - Date.now()) < 60_000, 'the time is now');
    }
    assert.equal(records.find((r) => r.msg === 'command call' && r.command === 'test/Echo')?.level, 'info');
  });

  test("a third party's failure is a warning; a caller's mistake is not", async () => {
    const headers = { 'spiff-connector-proxy-api-key': KEY };
    await call(proxy.url, '/v1/do/test/Fail', { body: { status: 503 }, headers });
    await call(proxy.url, '/v1/do/test/Fail', { body: { status: 'many' }, headers });
    const calls = logs.records().filter((r) => r.msg === 'command call' && r.command === 'test/Fail');
    assert.equal(calls.find((r) => r.error_code === 'Upstream503')?.level, 'warn');
    assert.equal(calls.find((r) => r.error_code === 'invalid_parameters')?.level, 'info');
  });

  test('an invalid_parameters line names the parameters, never their values', async () => {
    const { status } = await call(proxy.url, '/v1/do/test/Login', {
      body: { username: [`ada-${SECRET}`], password: { plain: SECRET } },
      headers: { 'spiff-connector-proxy-api-key': KEY },
    });
    assert.equal(status, 400);
    const line = logs.records().find((r) => r.msg === 'command call' && r.command === 'test/Login' && r.error_code === 'invalid_parameters');
    assert.ok(line);
    assert.deepEqual(line.parameters, ['username', 'password']);
    assert.doesNotMatch(logs.text, new RegExp(SECRET));
  });

  test('secrets a command logs as fields are redacted at any depth', async () => {
    const { status, json } = await call(proxy.url, '/v1/do/test/Login', {
      body: { username: 'ada', password: SECRET, spiff__task_data: { user_password: SECRET } },
      headers: { 'spiff-connector-proxy-api-key': KEY },
    });
    assert.equal(status, 200);
    assert.doesNotMatch(JSON.stringify(json), new RegExp(SECRET));
    const line = logs.records().find((r) => r.msg === 'logging in');
    assert.ok(line);
    assert.equal(line.password, '[Redacted]');
    assert.deepEqual(line.headers, { Authorization: '[Redacted]' });
    assert.equal(line.username, 'ada');
    assert.doesNotMatch(logs.text, new RegExp(SECRET));
  });

  test('a wrong API key is logged as refused, without the key sent or the key expected', async () => {
    const sent = 'guess-1234567890';
    const { status } = await call(proxy.url, '/v1/commands', { headers: { 'spiff-connector-proxy-api-key': sent } });
    assert.equal(status, 401);
    assert.ok(logs.records().some((r) => r.msg === 'refused: missing or wrong API key'));
    assert.doesNotMatch(logs.text, new RegExp(sent));
    assert.doesNotMatch(logs.text, new RegExp(KEY));
  });
});

describe('pretty logging (CONNECTOR_PROXY_LOG_FORMAT=pretty)', () => {
  test('lines are for people, and redacted as JSON lines are', async () => {
    const logs = new LogCapture();
    const proxy = await startProxy({ connectors: [testConnector], env: { CONNECTOR_PROXY_LOG_FORMAT: 'pretty', CONNECTOR_PROXY_LOG_LEVEL: 'debug' }, logStream: logs });
    try {
      const { status } = await call(proxy.url, '/v1/do/test/Login', { body: { username: 'ada', password: SECRET } });
      assert.equal(status, 200);
      await call(proxy.url, '/v1/do/test/Fail', { body: { status: 502 } });
    } finally {
      await proxy.close();
    }
    const text = logs.text;
    assert.doesNotMatch(text, /^\{/m, 'no JSON line');
    assert.match(text, /^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\] INFO: connector-proxy listening at http:\/\/127\.0\.0\.1:\d+$/m);
    assert.match(text, /^\[[^\]]+\] INFO: logging in\n(\s{4}.*\n)*\s{4}password: "\[Redacted\]"$/m);
    assert.match(text, /^\[[^\]]+\] WARN: command call\n(\s{4}.*\n)*\s{4}error_code: "Upstream502"$/m);
    assert.doesNotMatch(text, new RegExp(SECRET));
  });

  test('a setting other than json or pretty stops the start, naming the variable', async () => {
    await assert.rejects(startProxy({ connectors: [testConnector], env: { CONNECTOR_PROXY_LOG_FORMAT: 'yaml' } }), /CONNECTOR_PROXY_LOG_FORMAT must be one of json, pretty/);
  });
});
