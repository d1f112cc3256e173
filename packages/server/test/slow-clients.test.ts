/**
 * Fault tests for callers that hold connections: a body or headers sent a byte at a time, and
 * many connections from one address. Each is cut in time or refused in number, and liveness
 * keeps answering other callers. Every client here is on loopback: 127.0.0.1 is the greedy
 * caller, 127.0.0.2 (also this machine) another one. Bounded: at most 40 connections, 15 s.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig, startProxy, type RunningProxy } from '@connector-proxy/server';
import { LogCapture } from './fixtures/proxy-client.js';
import { clientKey } from '../src/connection-limits.js';
import { HeldConnection, rawRequest } from './fixtures/raw-client.js';
import { testConnector } from './fixtures/test-connector.js';

const GREEDY = '127.0.0.1';
const OTHER = '127.0.0.2';
/** Upper bound on any wait here: far above every configured timeout, far below the sender's own pace. */
const WAIT_LIMIT_MS = 10_000;

/** Writes `text` one character every `everyMs` until it is all sent or the proxy closes the connection. */
async function trickle(connection: HeldConnection, text: string, everyMs: number): Promise<number> {
  let sent = 0;
  for (const character of text) {
    if (!connection.write(character)) break;
    sent += 1;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return sent;
}

/** Resolves to how long the connection stayed open, or fails when it is still open after {@link WAIT_LIMIT_MS}. */
async function closedWithin(connection: HeldConnection, what: string): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still open after ${WAIT_LIMIT_MS} ms`)), WAIT_LIMIT_MS);
  });
  try {
    return await Promise.race([connection.closed, limit]);
  } finally {
    clearTimeout(timer);
    connection.close();
  }
}

async function livenessFrom(proxy: RunningProxy, localAddress: string): Promise<number> {
  return (await rawRequest(proxy.url, { method: 'GET', path: '/liveness', localAddress })).status;
}

describe('a request sent slowly is cut off', () => {
  const HEADERS_TIMEOUT_MS = 400;
  const REQUEST_TIMEOUT_MS = 800;
  let proxy: RunningProxy;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'connector-proxy-slow-'));

  before(async () => {
    proxy = await startProxy({
      connectors: [testConnector],
      env: {
        CONNECTOR_PROXY_LOG_LEVEL: 'silent',
        CONNECTOR_PROXY_DATA_DIR: dataDir,
        CONNECTOR_PROXY_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
        CONNECTOR_PROXY_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      },
    });
  });
  after(async () => {
    await proxy?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a body sent a byte every 100 ms is answered 408 and closed after CONNECTOR_PROXY_REQUEST_TIMEOUT_MS, while liveness answers', async () => {
    const connection = await HeldConnection.open(proxy.url, GREEDY);
    const body = JSON.stringify({ message: 'x'.repeat(200) });
    connection.write(`POST /v1/do/test/Echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    const sending = trickle(connection, body, 100);
    assert.equal(await livenessFrom(proxy, OTHER), 200);
    const openMs = await closedWithin(connection, 'a slow body');
    const sent = await sending;
    assert.ok(sent < body.length, `the whole body (${body.length} bytes) was sent: not cut`);
    assert.ok(openMs >= REQUEST_TIMEOUT_MS - 100, `cut after ${openMs} ms, before the request timeout`);
    assert.match(connection.received, /^HTTP\/1\.1 408 /);
  });

  test('headers sent a byte every 100 ms are answered 408 and closed after CONNECTOR_PROXY_HEADERS_TIMEOUT_MS', async () => {
    const connection = await HeldConnection.open(proxy.url, GREEDY);
    const headers = `GET /liveness HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'s'.repeat(200)}\r\n\r\n`;
    const sending = trickle(connection, headers, 100);
    const openMs = await closedWithin(connection, 'slow headers');
    assert.ok((await sending) < headers.length, 'all the headers were sent: not cut');
    assert.ok(openMs >= HEADERS_TIMEOUT_MS - 100, `cut after ${openMs} ms, before the headers timeout`);
    assert.match(connection.received, /^HTTP\/1\.1 408 /);
  });

  test('a connection that sends nothing is closed after the headers timeout', async () => {
    const connection = await HeldConnection.open(proxy.url, GREEDY);
    await closedWithin(connection, 'a silent connection');
  });

  test('a request sent at once is answered as usual on a kept-alive connection', async () => {
    const connection = await HeldConnection.open(proxy.url, GREEDY);
    const body = JSON.stringify({ message: 'quick' });
    for (let round = 0; round < 2; round += 1) {
      connection.write(`POST /v1/do/test/Echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    connection.close();
    assert.equal(connection.received.match(/HTTP\/1\.1 200 /g)?.length, 2, connection.received);
  });
});

describe('connections are capped per client address and in all', () => {
  const PER_ADDRESS = 4;
  const TOTAL = 8;
  let proxy: RunningProxy;
  const logs = new LogCapture();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'connector-proxy-caps-'));
  const held: HeldConnection[] = [];

  before(async () => {
    proxy = await startProxy({
      connectors: [testConnector],
      env: {
        CONNECTOR_PROXY_LOG_LEVEL: 'warn',
        CONNECTOR_PROXY_DATA_DIR: dataDir,
        CONNECTOR_PROXY_MAX_CONNECTIONS_PER_ADDRESS: String(PER_ADDRESS),
        CONNECTOR_PROXY_MAX_CONNECTIONS: String(TOTAL),
      },
      logStream: logs,
    });
  });
  after(async () => {
    for (const connection of held) connection.close();
    await proxy?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Opens `count` connections from `localAddress` that each send half a request and wait. */
  async function hold(localAddress: string, count: number): Promise<HeldConnection[]> {
    const opened: HeldConnection[] = [];
    for (let index = 0; index < count; index += 1) {
      const connection = await HeldConnection.open(proxy.url, localAddress);
      connection.write('GET /liveness HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      opened.push(connection);
    }
    held.push(...opened);
    return opened;
  }

  /** Lets the proxy accept (or refuse) what was opened: connections are counted as the server accepts them. */
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 150));

  test('40 connections from one address: the ones past the cap are closed at once, liveness answers another address, and the refusals are logged in one line', async () => {
    const greedy = await hold(GREEDY, 40);
    await settle();
    const refused = greedy.filter((connection) => connection.isClosed);
    assert.equal(refused.length, 40 - PER_ADDRESS);
    assert.ok(refused.every((connection) => connection.received === ''), 'a refused connection is closed without an answer');
    for (let round = 0; round < 3; round += 1) assert.equal(await livenessFrom(proxy, OTHER), 200);
    const warnings = logs.records().filter((record) => /refused connections/.test(String(record.msg)));
    assert.equal(warnings.length, 1, 'one warning for a flood, not one per connection');
    assert.equal(warnings[0]?.limit, 'per address');

    // The cap counts open connections: once one closes, the address is served again.
    const kept = greedy.filter((connection) => !connection.isClosed);
    assert.equal(kept.length, PER_ADDRESS);
    kept[0]?.close();
    await settle();
    assert.equal(await livenessFrom(proxy, GREEDY), 200);
    for (const connection of kept) connection.close();
    await settle();
  });

  test('past CONNECTOR_PROXY_MAX_CONNECTIONS in all, a new connection from any address is closed at once', async () => {
    const first = await hold(GREEDY, PER_ADDRESS);
    const second = await hold(OTHER, TOTAL - PER_ADDRESS);
    await settle();
    assert.ok([...first, ...second].every((connection) => !connection.isClosed), 'connections within both caps stay open');
    const third = await HeldConnection.open(proxy.url, '127.0.0.3');
    held.push(third);
    third.write('GET /liveness HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await closedWithin(third, 'a connection past the total cap');
    assert.equal(third.received, '');
    for (const connection of [...first, ...second]) connection.close();
    await settle();
    assert.equal(await livenessFrom(proxy, '127.0.0.3'), 200);
  });
});

describe('connection limits by default', () => {
  test('follow the open-file limit: under `ulimit -n 256`, one address may hold at most half of what is left after 64 files', () => {
    const script = "import('@connector-proxy/server').then(({ loadConfig }) => console.log(JSON.stringify(loadConfig({}).connections)))";
    const run = spawnSync('sh', ['-c', `ulimit -n 256 && exec "${process.execPath}" --conditions=source --import tsx -e "${script}"`], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(run.status, 0, run.stderr);
    const connections = JSON.parse(run.stdout) as Record<string, number>;
    assert.equal(connections.maxConnections, 192);
    assert.equal(connections.maxConnectionsPerAddress, 96);
    assert.equal(connections.requestTimeoutMs, 30_000);
    assert.equal(connections.headersTimeoutMs, 10_000);
  });

  test('a headers timeout longer than the request timeout stops the start, naming the variable', () => {
    assert.throws(() => loadConfig({ CONNECTOR_PROXY_HEADERS_TIMEOUT_MS: '5000', CONNECTOR_PROXY_REQUEST_TIMEOUT_MS: '1000' }), /CONNECTOR_PROXY_HEADERS_TIMEOUT_MS must not be more than CONNECTOR_PROXY_REQUEST_TIMEOUT_MS/);
    assert.throws(() => loadConfig({ CONNECTOR_PROXY_MAX_CONNECTIONS_PER_ADDRESS: '0' }), /CONNECTOR_PROXY_MAX_CONNECTIONS_PER_ADDRESS must be a whole number/);
  });

  test('connections count against their IPv4 address (also written IPv4-mapped) or their IPv6 /64', () => {
    assert.equal(clientKey('192.0.2.1'), '192.0.2.1');
    assert.equal(clientKey('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(clientKey('::FFFF:192.0.2.1'), '192.0.2.1');
    const network = clientKey('2001:db8:1:2:3:4:5:6');
    assert.equal(network, '2001:db8:1:2::/64');
    for (const same of ['2001:db8:1:2::9', '2001:0DB8:0001:0002:ffff::', '2001:db8:1:2::ffff:10.0.0.1']) assert.equal(clientKey(same), network, same);
    for (const other of ['2001:db8:1:3::1', '2001:db8::1', '::1']) assert.notEqual(clientKey(other), network, other);
    assert.equal(clientKey('fe80::1%eth0'), clientKey('fe80::2%eth1'));
  });
});
