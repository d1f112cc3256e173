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

  test('lines are pino JSON', async () => {
    await call(proxy.url, '/v1/do/test/Echo', { body: { message: 'json please' }, headers: { 'spiff-connector-proxy-api-key': KEY } });
    for (const record of logs.records()) {
      assert.equal(typeof record.level, 'number');
      assert.equal(typeof record.time, 'number');
    }
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
