/**
 * CONNECTOR_PROXY_MAX_BUFFERED_BYTES: the bytes of third parties' answers all calls hold at once.
 * A real upstream on 127.0.0.1 serves large bodies to concurrent calls of a proxy with a small
 * budget: calls past it are answered `ResponseBudgetExceeded` (http_status 503), the others in
 * full, nothing crashes, and the budget is back at 0 after every way a call can end.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningProxy } from '@connector-proxy/server';
import { callCommand, LogCapture, startHttpProxy, type CommandAnswer } from './http-proxy.js';
import { startUpstream, type Upstream } from './upstream-server.js';

const BODY_BYTES = 256 * 1024;
const BUDGET_BYTES = 1024 * 1024; // four bodies
const HTTP_TIMEOUT_MS = 1_000;
const CONCURRENT_CALLS = 12;
/** A JSON document of exactly BODY_BYTES. */
const BIG_JSON = Buffer.from(`{"filler":"${'f'.repeat(BODY_BYTES - 14)}"}`);
const CHUNK = Buffer.alloc(64 * 1024, 'c');

/** Sends `body` with its Content-Length: headers and the first half now, the rest after `pauseMs` (or never). */
function answerInTwoHalves(response: ServerResponse, body: Buffer, pauseMs: number | undefined, status = 200): void {
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(body.length) });
  response.write(body.subarray(0, body.length / 2));
  if (pauseMs !== undefined) setTimeout(() => response.end(body.subarray(body.length / 2)), pauseMs);
}

/** A chunked body (no Content-Length) of `bytes`, or endless (until the client hangs up, 64 MiB at most). */
function answerChunked(response: ServerResponse, bytes: number): void {
  response.writeHead(200, { 'content-type': 'text/plain' });
  let written = 0;
  const pump = (): void => {
    while (!response.destroyed && written < bytes) {
      written += CHUNK.length;
      if (!response.write(CHUNK)) return void response.once('drain', pump);
    }
    if (!response.destroyed) response.end();
  };
  pump();
}

describe('CONNECTOR_PROXY_MAX_BUFFERED_BYTES', () => {
  let proxy: RunningProxy;
  let upstream: Upstream;
  const logs = new LogCapture();
  const waiting: Array<() => void> = [];
  const callbacks: string[] = [];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'connector-proxy-budget-'));

  before(async () => {
    upstream = await startUpstream((request, response) => {
      const path = request.url;
      // Answers only once every concurrent call has reached the upstream, so that they all hold bytes at once.
      if (path === '/together') {
        waiting.push(() => answerInTwoHalves(response, BIG_JSON, 300));
        if (waiting.length === CONCURRENT_CALLS) for (const answer of waiting.splice(0)) answer();
        return;
      }
      if (path === '/chunked-2mib') return answerChunked(response, 2 * 1024 * 1024);
      if (path === '/json-512k') return response.writeHead(200, { 'content-type': 'application/json' }).end(`"${'j'.repeat(512 * 1024 - 2)}"`);
      if (path === '/text-512k') return response.writeHead(200, { 'content-type': 'text/plain' }).end('t'.repeat(512 * 1024));
      if (path === '/endless') return answerChunked(response, 64 * 1024 * 1024);
      if (path === '/error-500') return answerInTwoHalves(response, BIG_JSON, 0, 500);
      if (path === '/stalls') return answerInTwoHalves(response, BIG_JSON, undefined);
      if (path === '/callback') {
        callbacks.push(request.body);
        return response.writeHead(200).end();
      }
      return answerInTwoHalves(response, BIG_JSON, 0);
    });
    proxy = await startHttpProxy(
      {
        CONNECTOR_PROXY_MAX_BUFFERED_BYTES: String(BUDGET_BYTES),
        CONNECTOR_PROXY_MAX_RESPONSE_BYTES: String(8 * 1024 * 1024),
        CONNECTOR_PROXY_HTTP_TIMEOUT_MS: String(HTTP_TIMEOUT_MS),
        CONNECTOR_PROXY_DATA_DIR: dataDir,
      },
      logs,
    );
  });
  after(async () => {
    await proxy?.close();
    await upstream?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Waits (at most 3 s) for every call's share to be given back, then says what is still held. */
  async function heldAfterCalls(): Promise<number> {
    const until = Date.now() + 3_000;
    while (proxy.responseBudget.heldBytes !== 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    return proxy.responseBudget.heldBytes;
  }

  function assertBudgetExceeded(answer: CommandAnswer): void {
    assert.equal(answer.status, 200);
    assert.equal(answer.envelope.error?.error_code, 'ResponseBudgetExceeded', JSON.stringify(answer.envelope).slice(0, 300));
    assert.equal(answer.envelope.command_response.http_status, 503);
    assert.match(answer.envelope.error.message, new RegExp(`limit of ${BUDGET_BYTES} bytes .*CONNECTOR_PROXY_MAX_BUFFERED_BYTES`));
  }

  test(`${CONCURRENT_CALLS} concurrent calls for 256 KiB answers with a 1 MiB budget: the ones past it are ResponseBudgetExceeded (503), the rest whole, and the budget returns to 0`, async () => {
    const answers = await Promise.all(Array.from({ length: CONCURRENT_CALLS }, () => callCommand(proxy, 'GetRequest', { url: `${upstream.url}/together` })));
    const whole = answers.filter((answer) => answer.envelope.error === null);
    const refused = answers.filter((answer) => answer.envelope.error !== null);
    for (const answer of whole) assert.equal((answer.envelope.command_response.body as { filler: string }).filler.length, BODY_BYTES - 14);
    for (const answer of refused) assertBudgetExceeded(answer);
    assert.ok(whole.length >= 1 && whole.length <= BUDGET_BYTES / BODY_BYTES, `${whole.length} calls answered whole`);
    assert.ok(refused.length >= CONCURRENT_CALLS - BUDGET_BYTES / BODY_BYTES, `${refused.length} calls refused`);
    assert.equal(await heldAfterCalls(), 0);
    // The budget given back serves the next call.
    const next = await callCommand(proxy, 'GetRequest', { url: `${upstream.url}/alone` });
    assert.equal(next.envelope.error, null);
    assert.equal(await heldAfterCalls(), 0);
  });

  test('an answer without Content-Length takes from the budget as it comes: past it, the read is cut and the call is ResponseBudgetExceeded', async () => {
    for (const path of ['/chunked-2mib', '/endless']) {
      assertBudgetExceeded(await callCommand(proxy, 'GetRequest', { url: `${upstream.url}${path}` }));
      assert.equal(await heldAfterCalls(), 0, path);
    }
  });

  test('a text answer counts three times its bytes (decoded, then serialized into the envelope); a JSON answer once, as it goes on unchanged', async () => {
    const json = await callCommand(proxy, 'GetRequest', { url: `${upstream.url}/json-512k` });
    assert.equal(json.envelope.error, null);
    assert.equal((json.envelope.command_response.body as string).length, 512 * 1024 - 2);
    assertBudgetExceeded(await callCommand(proxy, 'GetRequest', { url: `${upstream.url}/text-512k` }));
    assert.equal(await heldAfterCalls(), 0);
  });

  test('the budget returns to 0 after a third party error, a timeout half-way through a body, and a client that hung up', async () => {
    const failed = await callCommand(proxy, 'GetRequest', { url: `${upstream.url}/error-500` });
    assert.equal(failed.envelope.error?.error_code, 'HttpError500');
    assert.equal(await heldAfterCalls(), 0);

    const stalled = await callCommand(proxy, 'GetRequest', { url: `${upstream.url}/stalls` });
    assert.equal(stalled.envelope.error?.error_code, 'UpstreamTimeout');
    assert.equal(await heldAfterCalls(), 0);

    // The client goes away while the answer is half-read; the call still ends (at the upstream timeout) and gives its share back.
    const gone = fetch(`${proxy.url}/v1/do/http/GetRequest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${upstream.url}/stalls` }),
      signal: AbortSignal.timeout(200),
    });
    await assert.rejects(gone);
    await new Promise((resolve) => setTimeout(resolve, HTTP_TIMEOUT_MS));
    assert.equal(await heldAfterCalls(), 0);
  });

  test('a background call holds its share until its result is delivered, then gives it back', async () => {
    const accepted = await callCommand(proxy, 'GetRequest', { url: `${upstream.url}/alone`, run_async: true, spiff__callback_url: `${upstream.url}/callback` });
    assert.equal(accepted.status, 202, JSON.stringify(accepted.envelope));
    const until = Date.now() + 5_000;
    while (callbacks.length === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(callbacks.length, 1, 'the result was delivered');
    assert.equal((JSON.parse(callbacks[0] as string) as { command_response: { body: { filler: string } } }).command_response.body.filler.length, BODY_BYTES - 14);
    assert.equal(await heldAfterCalls(), 0);
  });

  test('nothing failed unexpectedly', () => {
    assert.doesNotMatch(logs.text, /unexpectedly/);
  });
});
