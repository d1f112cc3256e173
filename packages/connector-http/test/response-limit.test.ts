import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { RunningProxy } from '@connector-proxy/server';
import { callCommand, startHttpProxy, type CommandAnswer } from './http-proxy.js';
import { answerJson, startUpstream, type Upstream } from './upstream-server.js';

const LIMIT = 2048; // CONNECTOR_PROXY_MAX_RESPONSE_BYTES (the configuration's minimum is 1024)
const TIMEOUT_MS = 5_000;
const CHUNK = Buffer.alloc(16 * 1024, 'x');
/** How much the endless body may send before it gives up by itself, should the proxy not cut it off. */
const ENDLESS_CAP_BYTES = 256 * 1024 * 1024;

/** A chunked body that never ends: writes as fast as the client reads, until the client hangs up. */
function endlessBody(response: ServerResponse, written: { bytes: number }): void {
  response.writeHead(200, { 'content-type': 'text/plain' }); // no Content-Length: chunked
  const pump = () => {
    while (!response.destroyed && written.bytes < ENDLESS_CAP_BYTES) {
      written.bytes += CHUNK.length;
      if (!response.write(CHUNK)) return void response.once('drain', pump);
    }
  };
  pump();
}

describe('CONNECTOR_PROXY_MAX_RESPONSE_BYTES', () => {
  let proxy: RunningProxy;
  let upstream: Upstream;
  const endless = { bytes: 0 };

  before(async () => {
    upstream = await startUpstream((request, response) => {
      switch (request.url) {
        case '/declared': // Content-Length over the limit
          return response.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(2 * LIMIT) }).end('y'.repeat(2 * LIMIT));
        case '/chunked': // over the limit, without announcing it
          response.writeHead(200, { 'content-type': 'text/plain' });
          for (let i = 0; i < 4; i++) response.write('z'.repeat(LIMIT / 2 + 1));
          return response.end();
        case '/exact':
          return response.writeHead(200, { 'content-type': 'text/plain' }).end('e'.repeat(LIMIT));
        case '/endless':
          return endlessBody(response, endless);
        default:
          return answerJson(response, 200, { ok: true });
      }
    });
    proxy = await startHttpProxy({ CONNECTOR_PROXY_MAX_RESPONSE_BYTES: String(LIMIT), CONNECTOR_PROXY_HTTP_TIMEOUT_MS: String(TIMEOUT_MS) });
  });
  after(async () => {
    await proxy.close();
    await upstream.close();
  });

  function assertTooLarge(answer: CommandAnswer): void {
    assert.equal(answer.status, 200);
    assert.equal(answer.envelope.error?.error_code, 'ResponseTooLarge', JSON.stringify(answer.envelope).slice(0, 500));
    assert.equal(answer.envelope.command_response.http_status, 502);
    assert.match(answer.envelope.error.message, new RegExp(`127\\.0\\.0\\.1:${upstream.port} sent an answer larger than this proxy's limit of ${LIMIT} bytes`));
  }

  test('an answer whose Content-Length is over the limit is ResponseTooLarge (502)', async () => {
    assertTooLarge(await callCommand(proxy, 'GetRequest', { url: `${upstream.url}/declared` }));
  });

  test('a chunked answer that grows past the limit is ResponseTooLarge', async () => {
    assertTooLarge(await callCommand(proxy, 'PostRequest', { url: `${upstream.url}/chunked`, data: {} }));
  });

  test('an answer of exactly the limit is read whole', async () => {
    const { envelope } = await callCommand(proxy, 'GetRequest', { url: `${upstream.url}/exact` });
    assert.equal(envelope.error, null);
    assert.equal((envelope.command_response.body as { raw_response: string }).raw_response.length, LIMIT);
  });

  test("a HEAD answer's Content-Length describes no body: not over the limit", async () => {
    const { envelope } = await callCommand(proxy, 'HeadRequest', { url: `${upstream.url}/declared` });
    assert.equal(envelope.error, null, JSON.stringify(envelope.error));
    assert.equal(envelope.command_response.http_status, 200);
  });

  test('an endless chunked body is cut off quickly, and the proxy keeps serving', async () => {
    const answer = await callCommand(proxy, 'GetRequest', { url: `${upstream.url}/endless` });
    assertTooLarge(answer);
    assert.ok(answer.elapsedMs < TIMEOUT_MS / 5, `answered after ${Math.round(answer.elapsedMs)} ms`);
    const sentWhenCut = endless.bytes;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(endless.bytes - sentWhenCut <= CHUNK.length * 64, 'the connection was closed: the upstream stopped sending');
    assert.ok(endless.bytes < 16 * 1024 * 1024, `${endless.bytes} bytes were sent before the cut`);

    const next = await callCommand(proxy, 'GetRequest', { url: `${upstream.url}/small` });
    assert.equal(next.envelope.error, null);
    assert.deepEqual(next.envelope.command_response.body, { ok: true });
  });
});
