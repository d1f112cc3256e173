import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningProxy } from '@connector-proxy/server';
import { callCommand, startHttpProxy, type CommandAnswer } from './http-proxy.js';
import { freePort, startRawServer, startUpstream, type Upstream } from './upstream-server.js';

const TIMEOUT_MS = 300;

describe('when the third party cannot be reached or fails mid-way', () => {
  let proxy: RunningProxy;
  let silent: Upstream;
  let hangUp: Upstream;
  let stallMidBody: Upstream;
  let notHttp: Upstream;

  before(async () => {
    [silent, hangUp, stallMidBody, notHttp] = await Promise.all([
      startUpstream(() => {}), // never answers
      startUpstream((_request, response) => response.socket?.destroy()),
      startUpstream((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        response.write('{"partial":'); // and nothing more
      }),
      startRawServer((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n')),
    ]);
    proxy = await startHttpProxy({ CONNECTOR_PROXY_HTTP_TIMEOUT_MS: String(TIMEOUT_MS) });
  });
  after(async () => {
    await proxy.close();
    await Promise.all([silent, hangUp, stallMidBody, notHttp].map((server) => server.close()));
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
