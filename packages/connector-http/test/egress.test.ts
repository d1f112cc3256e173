import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningProxy } from '@connector-proxy/server';
import { assertEgressDenied, TestProxies } from '@connector-proxy/server/testing';
import http from '@connector-proxy/connector-http';
import { callCommand, LogCapture, startHttpProxy } from './http-proxy.js';
import { answerJson, startUpstream, type Upstream } from './upstream-server.js';

const TIMEOUT_MS = '2000';

describe("CONNECTOR_PROXY_EGRESS_ALLOW / _DENY on the HTTP commands", () => {
  let upstream: Upstream;
  const proxies = new TestProxies({ connectors: [http], env: { CONNECTOR_PROXY_HTTP_TIMEOUT_MS: TIMEOUT_MS }, logStream: new LogCapture() });

  before(async () => {
    upstream = await startUpstream((_request, response) => answerJson(response, 200, { ok: true }));
  });
  after(async () => {
    await proxies.close();
    await upstream.close();
  });

  test('a name that resolves to a denied address is EgressDenied (403), logged, and the upstream sees no connection', async () => {
    const logs = new LogCapture();
    const proxy = await proxies.start({ CONNECTOR_PROXY_EGRESS_DENY: '127.0.0.0/8' }, logs);
    const connections = upstream.connectionCount();
    const answer = await callCommand(proxy, 'GetRequest', { url: `http://localhost:${upstream.port}/x` });
    assertEgressDenied(answer);
    assert.match(answer.envelope.error!.message, /Connections to localhost .*\(it resolves to a denied address\)/);
    assert.equal(upstream.connectionCount(), connections, 'no connection reached the upstream');
    const warning = logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === 'egress denied');
    assert.deepEqual([warning?.host, warning?.reason], ['localhost', 'it resolves to a denied address']);
    assert.match(answer.envelope.spiff__logs.join('\n'), /GET http:\/\/localhost:\d+\/x -> EgressDenied/);
  });

  test('an IP literal in a denied range is refused before connecting, the IPv4-mapped IPv6 form too', async () => {
    const proxy = await proxies.start({ CONNECTOR_PROXY_EGRESS_DENY: '127.0.0.0/8' });
    const connections = upstream.connectionCount();
    assertEgressDenied(await callCommand(proxy, 'PostRequest', { url: `${upstream.url}/x`, data: { a: 1 } }));
    assertEgressDenied(await callCommand(proxy, 'GetRequest', { url: `http://[::ffff:127.0.0.1]:${upstream.port}/x` }));
    assert.equal(upstream.connectionCount(), connections);
  });

  test('the unspecified addresses 0.0.0.0, 0, [::ffff:0.0.0.0] and [::] reach loopback: refused under the documented deny list', async () => {
    const upstream6 = await startUpstream((_request, response) => answerJson(response, 200, { ok: true }), '::1');
    try {
      const urls = [
        `http://0.0.0.0:${upstream.port}/x`,
        `http://0:${upstream.port}/x`,
        `http://[::ffff:0.0.0.0]:${upstream.port}/x`,
        `http://[::]:${upstream6.port}/x`,
      ];
      // Without a deny list they do reach the servers on 127.0.0.1 and ::1: that is what is at stake.
      const open = await proxies.start();
      for (const url of urls) assert.equal((await callCommand(open, 'GetRequest', { url })).envelope.error, null, url);

      const fenced = await proxies.start({ CONNECTOR_PROXY_EGRESS_DENY: '10.0.0.0/8,192.168.0.0/16,127.0.0.0/8' });
      const connections = [upstream.connectionCount(), upstream6.connectionCount()];
      for (const url of urls) assertEgressDenied(await callCommand(fenced, 'GetRequest', { url }));
      assert.deepEqual([upstream.connectionCount(), upstream6.connectionCount()], connections, 'no connection reached either server');
    } finally {
      await upstream6.close();
    }
  });

  test('with an allow list, an address not on it is denied: ALLOW=127.0.0.2 refuses 127.0.0.1', async () => {
    const proxy = await proxies.start({ CONNECTOR_PROXY_EGRESS_ALLOW: '127.0.0.2' });
    const connections = upstream.connectionCount();
    const answer = await callCommand(proxy, 'GetRequest', { url: `${upstream.url}/x`, attempts: 3 });
    assertEgressDenied(answer);
    assert.equal(answer.envelope.spiff__logs.length, 1, 'a refusal is not retried');
    assert.equal(upstream.connectionCount(), connections);
  });

  test('the cloud metadata address is denied by default, at once and without a connection attempt', async () => {
    const proxy = await proxies.start();
    const answer = await callCommand(proxy, 'GetRequest', { url: 'http://169.254.169.254/latest/meta-data/' });
    assertEgressDenied(answer);
    assert.ok(answer.elapsedMs < 1_000, `answered after ${Math.round(answer.elapsedMs)} ms`);
    assertEgressDenied(await callCommand(proxy, 'GetRequest', { url: 'http://metadata.google.internal/computeMetadata/v1/' }));
  });

  test('ALLOW=localhost lets calls to localhost through, and nothing else', async () => {
    const proxy = await proxies.start({ CONNECTOR_PROXY_EGRESS_ALLOW: 'localhost' });
    const allowed = await callCommand(proxy, 'GetRequest', { url: `http://localhost:${upstream.port}/allowed` });
    assert.equal(allowed.envelope.error, null, JSON.stringify(allowed.envelope.error));
    assert.deepEqual(allowed.envelope.command_response.body, { ok: true });
    assert.equal(upstream.seen.at(-1)?.url, '/allowed');
    assertEgressDenied(await callCommand(proxy, 'GetRequest', { url: `${upstream.url}/by-address` }));
  });
});

describe('a background job whose callback URL is denied', () => {
  let proxy: RunningProxy;
  let upstream: Upstream;
  let receiver: Upstream;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'connector-http-egress-'));

  before(async () => {
    [upstream, receiver] = await Promise.all([
      startUpstream((_request, response) => answerJson(response, 200, { ok: true })),
      startUpstream((_request, response) => response.writeHead(200).end()),
    ]);
    proxy = await startHttpProxy({
      CONNECTOR_PROXY_DATA_DIR: dataDir,
      CONNECTOR_PROXY_EGRESS_DENY: 'localhost',
      CONNECTOR_PROXY_CALLBACK_BASE_DELAY_MS: '20',
      CONNECTOR_PROXY_CALLBACK_MAX_ATTEMPTS: '5',
      CONNECTOR_PROXY_HTTP_TIMEOUT_MS: TIMEOUT_MS,
    });
  });
  after(async () => {
    await proxy.close();
    await Promise.all([upstream.close(), receiver.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('is refused when offered (400 callback_url_denied): the command does not run, and the callback receives nothing', async () => {
    const before = upstream.seen.length;
    const refused = await callCommand(proxy, 'GetRequest', {
      url: `${upstream.url}/work`,
      run_async: true,
      spiff__callback_url: `http://localhost:${receiver.port}/callback`,
    });
    assert.equal(refused.status, 400, JSON.stringify(refused.envelope));
    assert.equal(refused.envelope.error?.error_code, 'callback_url_denied');
    assert.match(refused.envelope.error?.message ?? '', /egress policy/);
    assert.equal(upstream.seen.length, before, 'the command did not run');
    assert.equal(receiver.connectionCount(), 0);
  });

  test('a callback URL on the unspecified address 0.0.0.0 is refused when loopback is denied', async () => {
    const fenced = await startHttpProxy({
      CONNECTOR_PROXY_DATA_DIR: path.join(dataDir, 'fenced'),
      CONNECTOR_PROXY_EGRESS_DENY: '127.0.0.0/8',
      CONNECTOR_PROXY_CALLBACK_BASE_DELAY_MS: '20',
      CONNECTOR_PROXY_CALLBACK_MAX_ATTEMPTS: '5',
      CONNECTOR_PROXY_HTTP_TIMEOUT_MS: TIMEOUT_MS,
    });
    try {
      const before = upstream.seen.length;
      const refused = await callCommand(fenced, 'GetRequest', {
        url: `${upstream.url}/work`,
        run_async: true,
        spiff__callback_url: `http://0.0.0.0:${receiver.port}/callback`,
      });
      assert.equal(refused.status, 400, JSON.stringify(refused.envelope));
      assert.equal(refused.envelope.error?.error_code, 'callback_url_denied');
      assert.match(refused.envelope.error?.message ?? '', /egress policy/);
      assert.equal(upstream.seen.length, before, 'the command did not run');
      assert.equal(receiver.connectionCount(), 0);
    } finally {
      await fenced.close();
    }
  });
});
