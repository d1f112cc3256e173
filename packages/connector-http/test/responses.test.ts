import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isUtf8 } from 'node:buffer';
import type { ServerResponse } from 'node:http';
import type { RunningProxy } from '@connector-proxy/server';
import { callCommand, LogCapture, startHttpProxy } from './http-proxy.js';
import { startUpstream, type Upstream } from './upstream-server.js';

/** What the upstream answers, by path. */
const ANSWERS: Record<string, (response: ServerResponse) => void> = {
  '/json': (r) => send(r, 200, 'application/json; charset=utf-8', '{"id":7,"tags":["a"]}'),
  '/json-after-early-hints': (r) => {
    r.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
    send(r, 200, 'application/json', '{"id":8}');
  },
  '/json-unicode': (r) => send(r, 200, 'application/json', '{"name":"Zoë 😀 \\u00e9","path":"a\\\\b"}'),
  '/json-bom': (r) => send(r, 200, 'application/json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"name":"Zoë"}')])),
  '/json-trickle': (r) => trickle(r, [1, 2, 3, 15, 20], Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`{"name":"Zoë 😀","padding":"${'.'.repeat(40_000)}"}`)])),
  '/json-latin1': (r) => send(r, 200, 'application/json; charset=iso-8859-1', Buffer.from('{"name":"caf\xe9"}', 'latin1')),
  '/json-bad-utf8': (r) => send(r, 200, 'application/json', Buffer.from('{"name":"caf\xe9"}', 'latin1')),
  '/json-empty': (r) => send(r, 200, 'application/json', ''),
  '/json-broken': (r) => send(r, 200, 'application/json', '{"id": 7,'),
  '/json-deep': (r) => send(r, 200, 'application/json', `${'['.repeat(20_000)}${']'.repeat(20_000)}`),
  '/xml': (r) => send(r, 200, 'application/xml', '<?xml version="1.0"?><user id="7"><name>Ada</name><role>a</role><role>b</role></user>'),
  '/atom': (r) => send(r, 200, 'application/atom+xml', '<feed><title lang="en">News</title></feed>'),
  '/xml-broken': (r) => send(r, 200, 'text/xml', '<user><name>Ada</user>'),
  '/text': (r) => send(r, 200, 'text/plain', 'hello'),
  '/latin1': (r) => send(r, 200, 'text/plain; charset=iso-8859-1', Buffer.from([0x63, 0x61, 0x66, 0xe9])),
  '/none': (r) => send(r, 204, undefined, ''),
  '/missing': (r) => send(r, 404, 'application/json', '{"detail":"no such user"}'),
  '/broken-server': (r) => send(r, 500, 'text/html', '<h1>oops</h1>'),
  '/missing-bad-json': (r) => send(r, 404, 'application/json', 'not json'),
  '/redirect': (r) => send(r, 302, 'text/plain', 'moved', { location: '/json' }),
  '/cookies': (r) => send(r, 200, 'text/plain', 'ok', { 'Set-Cookie': ['a=1', 'b=2'], 'X-Trace': 'abc' }),
  '/one-cookie': (r) => send(r, 404, 'text/plain', 'gone', { 'Set-Cookie': 'a=1' }),
};

function send(response: ServerResponse, status: number, contentType: string | undefined, body: string | Buffer, headers: Record<string, string | string[]> = {}): void {
  response.writeHead(status, { ...(contentType && { 'content-type': contentType }), ...headers });
  response.end(body);
}

/** Sends `body` as separate writes, cut at `cuts` (a byte order mark and a character cut in pieces), a moment apart. */
function trickle(response: ServerResponse, cuts: number[], body: Buffer): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  const pieces = [0, ...cuts].map((start, n) => body.subarray(start, cuts[n] ?? body.length));
  const next = (): void => {
    const piece = pieces.shift();
    if (piece === undefined) response.end();
    else response.write(piece, () => setTimeout(next, 10));
  };
  next();
}

describe('what the HTTP commands answer', () => {
  let proxy: RunningProxy;
  let upstream: Upstream;
  const logs = new LogCapture();

  before(async () => {
    upstream = await startUpstream((request, response) => (ANSWERS[request.url.split('?')[0]!] ?? ((r) => send(r, 418, 'text/plain', '')))(response));
    proxy = await startHttpProxy({}, logs);
  });
  after(async () => {
    await proxy.close();
    await upstream.close();
  });

  const get = (path: string, extra: Record<string, unknown> = {}) => callCommand(proxy, 'GetRequest', { url: `${upstream.url}${path}`, ...extra });

  test('a JSON answer is the parsed body, with the upstream status', async () => {
    const { status, envelope } = await get('/json');
    assert.equal(status, 200);
    assert.equal(envelope.error, null);
    assert.deepEqual(envelope.command_response.body, { id: 7, tags: ['a'] });
    assert.equal(envelope.command_response.http_status, 200);
    assert.equal(envelope.command_response.mimetype, 'application/json');
    assert.deepEqual(envelope.command_response.headers, {}, 'headers only when asked');
  });

  test('an informational 103 before the answer is passed over: the answer is the 200 that follows', async () => {
    const { envelope } = await get('/json-after-early-hints');
    assert.equal(envelope.error, null);
    assert.equal(envelope.command_response.http_status, 200);
    assert.deepEqual(envelope.command_response.body, { id: 8 });
  });

  test('JSON in UTF-8 comes through unchanged, a byte order mark dropped as a decoder drops it', async () => {
    assert.deepEqual((await get('/json-unicode')).envelope.command_response.body, { name: 'Zoë 😀 é', path: 'a\\b' });
    assert.deepEqual((await get('/json-bom')).envelope.command_response.body, { name: 'Zoë' });
  });

  test('JSON that arrives in pieces (its byte order mark and a character cut apart) comes through whole', async () => {
    const { envelope } = await get('/json-trickle');
    assert.equal(envelope.error, null);
    assert.deepEqual(envelope.command_response.body, { name: 'Zoë 😀', padding: '.'.repeat(40_000) });
  });

  test('JSON in another charset is decoded with it; bytes that are not UTF-8 become U+FFFD, never broken UTF-8 in the envelope', async () => {
    assert.deepEqual((await get('/json-latin1')).envelope.command_response.body, { name: 'café' });
    const url = `${upstream.url}/json-bad-utf8`;
    const response = await fetch(`${proxy.url}/v1/do/http/GetRequest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) });
    const bytes = new Uint8Array(await response.arrayBuffer());
    assert.ok(isUtf8(bytes), 'the envelope is well-formed UTF-8');
    const envelope = JSON.parse(Buffer.from(bytes).toString()) as { error: unknown; command_response: { body: unknown } };
    assert.equal(envelope.error, null);
    assert.deepEqual(envelope.command_response.body, { name: 'caf\ufffd' });
  });

  test('an empty JSON answer is an empty raw_response', async () => {
    assert.deepEqual((await get('/json-empty')).envelope.command_response.body, { raw_response: '' });
  });

  test('XML is parsed into an object with its attributes, like xmltodict', async () => {
    assert.deepEqual((await get('/xml')).envelope.command_response.body, { user: { '@id': '7', name: 'Ada', role: ['a', 'b'] } });
    assert.deepEqual((await get('/atom')).envelope.command_response.body, { feed: { title: { '@lang': 'en', '#text': 'News' } } });
  });

  test('XML that is not well-formed is kept as raw_response', async () => {
    const { envelope } = await get('/xml-broken');
    assert.equal(envelope.error, null);
    assert.deepEqual(envelope.command_response.body, { raw_response: '<user><name>Ada</user>' });
  });

  test('any other answer is raw_response text, decoded with its charset', async () => {
    assert.deepEqual((await get('/text')).envelope.command_response.body, { raw_response: 'hello' });
    assert.deepEqual((await get('/latin1')).envelope.command_response.body, { raw_response: 'café' });
    const empty = await get('/none');
    assert.deepEqual(empty.envelope.command_response.body, { raw_response: '' });
    assert.equal(empty.envelope.command_response.http_status, 204);
  });

  test('HEAD answers an empty raw_response', async () => {
    const { envelope } = await callCommand(proxy, 'HeadRequest', { url: `${upstream.url}/json` });
    assert.equal(envelope.error, null);
    assert.deepEqual(envelope.command_response.body, { raw_response: '' });
    assert.equal(envelope.command_response.http_status, 200);
  });

  test('JSON that does not parse is InvalidJsonResponse (502) with the text kept', async () => {
    const { status, envelope } = await get('/json-broken');
    assert.equal(status, 200);
    assert.equal(envelope.error?.error_code, 'InvalidJsonResponse');
    assert.equal(envelope.command_response.http_status, 502);
    assert.deepEqual(envelope.command_response.body, { raw_response: '{"id": 7,' });
  });

  test('JSON nested too deep to pass on is InvalidJsonResponse, not a crash', async () => {
    const { status, envelope } = await get('/json-deep');
    assert.equal(status, 200);
    assert.equal(envelope.error?.error_code, 'InvalidJsonResponse');
    assert.equal(envelope.command_response.http_status, 502);
    assert.equal((await get('/json')).status, 200, 'the proxy keeps serving');
  });

  test('an upstream 404 is HttpError404 with its body kept, and the proxy answers 200', async () => {
    const { status, envelope } = await get('/missing');
    assert.equal(status, 200);
    assert.equal(envelope.error?.error_code, 'HttpError404');
    assert.match(envelope.error.message, new RegExp(`127\\.0\\.0\\.1:${upstream.port} answered 404 Not Found`));
    assert.equal(envelope.command_response.http_status, 404);
    assert.deepEqual(envelope.command_response.body, { detail: 'no such user' });
  });

  test('an upstream 500 is HttpError500 with its text kept', async () => {
    const { status, envelope } = await callCommand(proxy, 'PostRequest', { url: `${upstream.url}/broken-server`, data: {} });
    assert.equal(status, 200);
    assert.equal(envelope.error?.error_code, 'HttpError500');
    assert.equal(envelope.command_response.http_status, 500);
    assert.deepEqual(envelope.command_response.body, { raw_response: '<h1>oops</h1>' });
  });

  test('an error status wins over a body that is not JSON', async () => {
    const { envelope } = await get('/missing-bad-json');
    assert.equal(envelope.error?.error_code, 'HttpError404');
    assert.deepEqual(envelope.command_response.body, { raw_response: 'not json' });
  });

  test('with follow_redirects false a redirect is HttpError302, with its Location when headers are asked', async () => {
    const { envelope } = await get('/redirect', { include_response_headers: true, follow_redirects: false });
    assert.equal(envelope.error?.error_code, 'HttpError302');
    assert.equal(envelope.command_response.headers.location, '/json');
  });

  test('include_response_headers gives lower-case names, set-cookie always as an array', async () => {
    const { envelope } = await get('/cookies', { include_response_headers: true });
    const { headers } = envelope.command_response;
    assert.deepEqual(headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(headers['x-trace'], 'abc');
    assert.equal(headers['content-type'], 'text/plain');
    const failed = await callCommand(proxy, 'DeleteRequest', { url: `${upstream.url}/one-cookie`, include_response_headers: true });
    assert.equal(failed.envelope.error?.error_code, 'HttpError404');
    assert.deepEqual(failed.envelope.command_response.headers['set-cookie'], ['a=1']);
  });

  test('each call is one log line with method, redacted URL, status and time; no secrets', async () => {
    const { envelope } = await get('/json', {
      params: { api_key: 'KEY-SECRET', q: 'x' },
      headers: { 'X-Api-Token': 'HEADER-SECRET' },
      basic_auth_username: 'ada',
      basic_auth_password: 'PASSWORD-SECRET',
    });
    assert.equal(envelope.spiff__logs.length, 1);
    assert.match(envelope.spiff__logs[0]!, new RegExp(`^INFO GET http://127\\.0\\.0\\.1:${upstream.port}/json\\?api_key=\\[Redacted\\]&q=\\[Redacted\\] -> 200 \\(\\d+ ms\\)$`));
    assert.doesNotMatch(JSON.stringify(envelope) + logs.text, /KEY-SECRET|HEADER-SECRET|PASSWORD-SECRET/);
  });
});
