/**
 * `GET /readyz`: ready when the connectors are set up and the job store answers.
 *
 * The Redis case needs the machine's Redis at 127.0.0.1:6379 (database 15, only pinged here),
 * reached through a forwarder this test closes to make Redis stop answering: skipped with the
 * reason printed when Redis does not answer, failed when CI=true.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { startProxy } from '@connector-proxy/server';
import http from '@connector-proxy/connector-http';
import { call } from './fixtures/proxy-client.js';
import { redisUnavailable } from './fixtures/redis-database.js';

const unavailable = await redisUnavailable();
if (unavailable !== undefined) {
  if (process.env.CI === 'true') throw new Error(`${unavailable}: the Redis readiness test cannot run in CI without it`);
  console.log(`skipping the Redis readiness test: ${unavailable}`);
}

const QUIET = { CONNECTOR_PROXY_LOG_LEVEL: 'silent', CONNECTOR_PROXY_API_KEY: 'readiness-key' };
const folder = mkdtempSync(path.join(tmpdir(), 'connector-proxy-readiness-'));
after(() => rmSync(folder, { recursive: true, force: true }));

/** A TCP forwarder to Redis that can be cut (every connection dropped, new ones refused) and restored on the same port. */
class Forwarder {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(6379, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

describe('GET /readyz', () => {
  test('ready with the connectors set up and a writable data directory; open without the key', async () => {
    const proxy = await startProxy({ connectors: [http], env: { ...QUIET, CONNECTOR_PROXY_DATA_DIR: path.join(folder, 'data') } });
    try {
      const { status, json } = await call(proxy.url, '/readyz');
      assert.equal(status, 200);
      assert.deepEqual(json, { status: 'ready', commands: 6 });
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

  test('not ready while Redis does not answer, ready again once it does', { skip: unavailable ?? false }, async () => {
    const forwarder = new Forwarder();
    await forwarder.open();
    const proxy = await startProxy({ connectors: [http], env: { ...QUIET, CONNECTOR_PROXY_QUEUE_URL: `redis://127.0.0.1:${forwarder.port}/15` } });
    try {
      assert.equal((await call(proxy.url, '/readyz')).status, 200);
      await forwarder.cut();
      const down = await call(proxy.url, '/readyz');
      assert.equal(down.status, 503);
      assert.match(String(down.json.reason), /job store does not answer/);
      await forwarder.open();
      let again = 0;
      for (let tries = 0; tries < 100 && again !== 200; tries += 1) {
        again = (await call(proxy.url, '/readyz')).status;
        if (again !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(again, 200, 'ready again after Redis is back');
    } finally {
      await proxy.close();
      await forwarder.cut();
    }
  });
});
