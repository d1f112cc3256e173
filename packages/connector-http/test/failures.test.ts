import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { RunningProxy } from '@connector-proxy/server';
import { pollUntil } from '@connector-proxy/server/testing';
import { callCommand, startHttpProxy, type CommandAnswer } from './http-proxy.js';
import { answerJson, freePort, startRawServer, startUpstream, type Upstream } from './upstream-server.js';

const TIMEOUT_MS = 300;

/** Writes `{"a":` then one byte every 50 ms, for ever: only the per-call bound ends it. */
function trickle(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.write('{"a":');
  const timer = setInterval(() => response.write(' '), 50);
  response.on('close', () => clearInterval(timer));
}

describe('when the third party cannot be reached or fails mid-way', () => {
  let proxy: RunningProxy;
  let silent: Upstream;
  let hangUp: Upstream;
  let stallMidBody: Upstream;
  let resetMidBody: Upstream;
  let notHttp: Upstream;
  let hugeHeaders: Upstream;
  let slowTrickle: Upstream;
  let healthy: Upstream;

  before(async () => {
    [silent, hangUp, stallMidBody, resetMidBody, notHttp, hugeHeaders, slowTrickle, healthy] = await Promise.all([
      startUpstream(() => {}), // never answers
      startUpstream((_request, response) => response.socket?.destroy()),
      startUpstream((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        response.write('{"partial":'); // and nothing more
      }),
      startUpstream((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        response.write('{"partial":', () => response.socket?.destroy());
      }),
      startRawServer((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n')),
      // 64 KiB of headers: four times what the HTTP client reads before giving up on an answer.
      startRawServer((socket) => socket.end(`HTTP/1.1 200 OK\r\nX-Padding: ${'x'.repeat(64 * 1024)}\r\nContent-Length: 2\r\n\r\n{}`)),
      startUpstream((_request, response) => trickle(response)),
      startUpstream((_request, response) => answerJson(response, 200, { ok: true })),
    ]);
    proxy = await startHttpProxy({ CONNECTOR_PROXY_HTTP_TIMEOUT_MS: String(TIMEOUT_MS) });
  });
  after(async () => {
    await proxy.close();
    await Promise.all([silent, hangUp, stallMidBody, resetMidBody, notHttp, hugeHeaders, slowTrickle, healthy].map((server) => server.close()));
  });

  function assertFailure(answer: CommandAnswer, code: string, httpStatus: number): void {
    assert.equal(answer.status, 200, 'the command ran: the proxy answers 200');
    assert.equal(answer.envelope.error?.error_code, code, answer.envelope.error?.message);
    assert.equal(answer.envelope.command_response.http_status, httpStatus);
  }

  test('a port nothing listens on is ConnectionRefused (502)', async () => {
    const port = await freePort();
    const answer = await callCommand(proxy, 'GetRequest', { url: `http://127.0.0.1:${port}/x` });
    assertFailure(answer, 'ConnectionRefused', 502);
    assert.match(answer.envelope.error!.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
  });

  test('a server that drops the connection is ConnectionReset (502)', async () => {
    assertFailure(await callCommand(proxy, 'PostRequest', { url: hangUp.url, data: { a: 1 } }), 'ConnectionReset', 502);
  });

  test('a server that never answers is UpstreamTimeout (504) after CONNECTOR_PROXY_HTTP_TIMEOUT_MS', async () => {
    const answer = await callCommand(proxy, 'GetRequest', { url: `${silent.url}/slow` });
    assertFailure(answer, 'UpstreamTimeout', 504);
    assert.match(answer.envelope.error!.message, new RegExp(`127\\.0\\.0\\.1:${silent.port} did not answer within ${TIMEOUT_MS} ms`));
    assert.ok(answer.elapsedMs < TIMEOUT_MS + 1_000, `answered after ${Math.round(answer.elapsedMs)} ms`);
  });

  test('a body that stalls half-way is UpstreamTimeout (504)', async () => {
    const answer = await callCommand(proxy, 'GetRequest', { url: stallMidBody.url });
    assertFailure(answer, 'UpstreamTimeout', 504);
    assert.ok(answer.elapsedMs < TIMEOUT_MS + 1_000, `answered after ${Math.round(answer.elapsedMs)} ms`);
  });

  test('a connection reset half-way through the body is ConnectionReset (502)', async () => {
    const answer = await callCommand(proxy, 'GetRequest', { url: resetMidBody.url });
    assertFailure(answer, 'ConnectionReset', 502);
    assert.ok(answer.elapsedMs < TIMEOUT_MS + 1_000, `answered after ${Math.round(answer.elapsedMs)} ms`);
  });

  test('headers too large to read are InvalidHttpResponse (502)', async () => {
    const answer = await callCommand(proxy, 'GetRequest', { url: hugeHeaders.url });
    assertFailure(answer, 'InvalidHttpResponse', 502);
  });

  test('a body that trickles a byte at a time is cut at CONNECTOR_PROXY_HTTP_TIMEOUT_MS: UpstreamTimeout (504)', async () => {
    const answer = await callCommand(proxy, 'GetRequest', { url: slowTrickle.url });
    assertFailure(answer, 'UpstreamTimeout', 504);
    assert.ok(answer.elapsedMs < TIMEOUT_MS + 1_000, `answered after ${Math.round(answer.elapsedMs)} ms`);
  });

  test('one attempt only, unless attempts asks for more: each fault reaches its server once', async () => {
    for (const server of [silent, hangUp, stallMidBody, resetMidBody, slowTrickle]) {
      const before = server.seen.length;
      await callCommand(proxy, 'GetRequest', { url: server.url });
      assert.equal(server.seen.length - before, 1, server.url);
    }
  });

  test('while every fault is in progress at once, other calls are served', async () => {
    // A proxy of its own, whose bound outlasts any scheduling delay of a busy machine: the check
    // is an order (the good call is answered while the hanging calls are still in progress), not a time.
    const patient = await startHttpProxy({ CONNECTOR_PROXY_HTTP_TIMEOUT_MS: '3000' });
    try {
      const hanging = [silent, stallMidBody, slowTrickle];
      const seenBefore = hanging.map((server) => server.seen.length);
      let settled = 0;
      const faults = [silent, hangUp, stallMidBody, resetMidBody, notHttp, hugeHeaders, slowTrickle].map((server) =>
        callCommand(patient, 'GetRequest', { url: server.url }).finally(() => (settled += 1)),
      );
      await pollUntil(
        () => hanging.every((server, index) => server.seen.length > (seenBefore[index] ?? 0)) || undefined,
        () => 'the hanging servers never received their requests',
      );
      const good = await callCommand(patient, 'GetRequest', { url: healthy.url });
      assert.equal(good.envelope.error, null);
      assert.ok(settled <= faults.length - hanging.length, `the good call was answered after ${settled} of the faults, hanging ones included`);
      for (const answer of await Promise.all(faults)) {
        assert.equal(answer.status, 200);
        assert.notEqual(answer.envelope.error, null);
      }
    } finally {
      await patient.close();
    }
  });

  test('an answer that is not HTTP is InvalidHttpResponse (502)', async () => {
    assertFailure(await callCommand(proxy, 'GetRequest', { url: notHttp.url }), 'InvalidHttpResponse', 502);
  });

  test('a failed TLS handshake is TlsError (502)', async () => {
    // An https: URL pointed at a plain-HTTP port: the handshake fails at once.
    const answer = await callCommand(proxy, 'GetRequest', { url: `https://127.0.0.1:${silent.port}/` });
    assertFailure(answer, 'TlsError', 502);
  });

  test('a host name that does not resolve is HostNotFound (502)', async () => {
    // .invalid never resolves (RFC 6761); a resolver that cannot be reached at all answers EAI_AGAIN, also HostNotFound.
    const answer = await callCommand(proxy, 'GetRequest', { url: 'http://no-such-host.invalid:8080/x' });
    assertFailure(answer, 'HostNotFound', 502);
    assert.match(answer.envelope.error!.message, /no-such-host\.invalid:8080/);
  });

  test('messages name host:port only: never credentials, query or header values', async () => {
    const port = await freePort();
    const answer = await callCommand(proxy, 'GetRequest', {
      url: `http://user:URL-SECRET@127.0.0.1:${port}/path?token=QUERY-SECRET`,
      headers: { 'X-Api-Key': 'HEADER-SECRET' },
    });
    assertFailure(answer, 'ConnectionRefused', 502);
    assert.doesNotMatch(JSON.stringify(answer.envelope), /SECRET|user/);
  });
});
