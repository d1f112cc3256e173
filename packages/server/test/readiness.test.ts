/**
 * `GET /readyz`: ready when the connectors are set up and the job store answers. Its Redis case
 * is in job-list.test.ts, which has the Redis database these tests may use.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { startProxy } from '@connector-proxy/server';
import http from '@connector-proxy/connector-http';
import { call } from './fixtures/proxy-client.js';

const QUIET = { CONNECTOR_PROXY_LOG_LEVEL: 'silent', CONNECTOR_PROXY_API_KEY: 'readiness-key' };
const folder = mkdtempSync(path.join(tmpdir(), 'connector-proxy-readiness-'));
after(() => rmSync(folder, { recursive: true, force: true }));

describe('GET /readyz', () => {
  test('ready with the connectors set up and a writable data directory; open without the key', async () => {
    const proxy = await startProxy({ connectors: [http], env: { ...QUIET, CONNECTOR_PROXY_DATA_DIR: path.join(folder, 'data') } });
    try {
      const { status, json } = await call(proxy.url, '/readyz');
      assert.equal(status, 200);
      const commands = await call(proxy.url, '/v1/commands', { headers: { 'spiff-connector-proxy-api-key': QUIET.CONNECTOR_PROXY_API_KEY } });
      assert.deepEqual(json, { status: 'ready', commands: (commands.json as unknown as unknown[]).length });
      assert.equal((await call(proxy.url, '/liveness')).status, 200, 'liveness stays as it is');
    } finally {
      await proxy.close();
    }
  });

  test('not ready, with the reason, when the SQLite job store cannot be written', async () => {
    const notAFolder = path.join(folder, 'a-file');
    writeFileSync(notAFolder, 'not a folder');
    const proxy = await startProxy({ connectors: [http], env: { ...QUIET, CONNECTOR_PROXY_DATA_DIR: path.join(notAFolder, 'data') } });
    try {
      const { status, json } = await call(proxy.url, '/readyz');
      assert.equal(status, 503);
      assert.equal(json.status, 'not_ready');
      assert.match(String(json.reason), /job store does not answer/);
      assert.doesNotMatch(String(json.reason), /a-file/, 'no path in the answer');
      assert.equal((await call(proxy.url, '/liveness')).status, 200, 'still alive');
    } finally {
      await proxy.close();
    }
  });
});
