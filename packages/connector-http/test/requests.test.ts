import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningProxy } from '@connector-proxy/server';
import { callCommand, startHttpProxy } from './http-proxy.js';
import { answerJson, startUpstream, type Upstream } from './upstream-server.js';

describe('what the HTTP commands send', () => {
  let proxy: RunningProxy;
  let upstream: Upstream;

  before(async () => {
    upstream = await startUpstream((_request, response) => answerJson(response, 200, { ok: true }));
    proxy = await startHttpProxy();
  });
  after(async () => {
    await proxy.close();
    await upstream.close();
  });

  /** Calls `command` and gives the one request the upstream saw for it. */
  async function sent(command: string, params: Record<string, unknown>) {
    const before = upstream.seen.length;
    const { status, envelope } = await callCommand(proxy, command, params);
    assert.equal(status, 200, JSON.stringify(envelope.error));
    assert.equal(upstream.seen.length, before + 1);
    return upstream.seen[before]!;
  }

  async function rejected(command: string, params: Record<string, unknown>) {
    const before = upstream.seen.length;
    const { status, envelope } = await callCommand(proxy, command, params);
    assert.equal(status, 400);
    assert.equal(envelope.error?.error_code, 'invalid_parameters');
    assert.equal(upstream.seen.length, before, 'a rejected call makes no request');
    return envelope.error.message;
  }

  test('each command uses its method', async () => {
    const methods = { GetRequest: 'GET', HeadRequest: 'HEAD', PostRequest: 'POST', PutRequest: 'PUT', PatchRequest: 'PATCH', DeleteRequest: 'DELETE' };
    for (const [command, method] of Object.entries(methods)) {
      const request = await sent(command, { url: `${upstream.url}/things/1` });
      assert.equal(request.method, method);
      assert.equal(request.url, '/things/1');
    }
  });

  test('params are merged into the query the URL already has', async () => {
    const request = await sent('GetRequest', {
      url: `${upstream.url}/search?q=a%20b&page=1`,
      params: { tag: ['x', 'y z'], limit: 10, exact: true, missing: null },
    });
    assert.equal(request.url, '/search?q=a%20b&page=1&tag=x&tag=y+z&limit=10&exact=true');
  });

  test('params also go into the query of a POST', async () => {
    const request = await sent('PostRequest', { url: `${upstream.url}/items`, params: { dry_run: 1 }, data: { a: 1 } });
    assert.equal(request.url, '/items?dry_run=1');
  });

  test('headers are sent as given, values as text', async () => {
    const request = await sent('GetRequest', { url: upstream.url, headers: { 'X-Request-Id': 'abc', 'X-Page': 2, Accept: 'text/csv' } });
    assert.equal(request.headers['x-request-id'], 'abc');
    assert.equal(request.headers['x-page'], '2');
    assert.equal(request.headers.accept, 'text/csv');
  });

  test('basic auth is sent when username and password are both given, replacing an Authorization header', async () => {
    const request = await sent('GetRequest', {
      url: upstream.url,
      headers: { Authorization: 'Bearer other' },
      basic_auth_username: 'ada',
      basic_auth_password: 'pässword',
    });
    assert.equal(request.headers.authorization, `Basic ${Buffer.from('ada:pässword').toString('base64')}`);
    const onlyUser = await sent('GetRequest', { url: upstream.url, basic_auth_username: 'ada' });
    assert.equal(onlyUser.headers.authorization, undefined);
  });

  test('credentials in the URL are sent as basic auth', async () => {
    const request = await sent('GetRequest', { url: `http://ada:se%40cret@127.0.0.1:${upstream.port}/x` });
    assert.equal(request.headers.authorization, `Basic ${Buffer.from('ada:se@cret').toString('base64')}`);
  });

  test('body_format json (the default) sends data as JSON', async () => {
    const request = await sent('PostRequest', { url: upstream.url, data: { name: 'Ada', tags: [1, 2] } });
    assert.equal(request.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(request.body), { name: 'Ada', tags: [1, 2] });
  });

  test('a content type in headers is kept', async () => {
    const request = await sent('PutRequest', { url: upstream.url, data: { a: 1 }, headers: { 'Content-Type': 'application/vnd.api+json' } });
    assert.equal(request.headers['content-type'], 'application/vnd.api+json');
    assert.equal(request.body, '{"a":1}');
  });

  test('without data nothing is sent', async () => {
    const request = await sent('PostRequest', { url: upstream.url });
    assert.equal(request.body, '');
    assert.equal(request.headers['content-type'], undefined);
  });

  test('body_format form sends data form-encoded', async () => {
    const request = await sent('PatchRequest', { url: upstream.url, body_format: 'form', data: { name: 'A B', tag: ['x', 'y'], n: 3 } });
    assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(request.body, 'name=A+B&tag=x&tag=y&n=3');
  });

  test('body_format raw sends a string as is and anything else as JSON', async () => {
    const text = await sent('PostRequest', { url: upstream.url, body_format: 'raw', data: '<a>1</a>', headers: { 'Content-Type': 'application/xml' } });
    assert.equal(text.body, '<a>1</a>');
    assert.equal(text.headers['content-type'], 'application/xml');
    const other = await sent('PostRequest', { url: upstream.url, body_format: 'raw', data: [1, 'two'] });
    assert.equal(other.body, '[1,"two"]');
  });

  test('body_format none sends no body', async () => {
    const request = await sent('DeleteRequest', { url: upstream.url, body_format: 'none', data: { ignored: true } });
    assert.equal(request.body, '');
  });

  test('an unknown body_format is a 400 naming the allowed values', async () => {
    const message = await rejected('PostRequest', { url: upstream.url, body_format: 'xml', data: 'x' });
    assert.match(message, /body_format/);
    assert.match(message, /json, form, raw, none/);
  });

  test('form data that is not an object is a 400 naming data', async () => {
    assert.match(await rejected('PostRequest', { url: upstream.url, body_format: 'form', data: 'a=1' }), /\bdata\b/);
  });

  test('headers that are not an object, or that HTTP refuses, are a 400 naming headers', async () => {
    assert.match(await rejected('GetRequest', { url: upstream.url, headers: ['X-A', '1'] }), /headers/);
    assert.match(await rejected('GetRequest', { url: upstream.url, headers: 'X-A: 1' }), /headers/);
    assert.match(await rejected('GetRequest', { url: upstream.url, headers: { 'X-A': 'one\r\nX-Injected: yes' } }), /headers/);
    assert.match(await rejected('GetRequest', { url: upstream.url, headers: { 'X-Nul': 'a\u0000b' } }), /headers/);
    assert.match(await rejected('GetRequest', { url: upstream.url, headers: { 'Bad Name': 'x' } }), /headers/);
    for (const name of ['Host', 'Content-Length', 'Transfer-Encoding', 'Connection']) {
      assert.match(await rejected('PostRequest', { url: upstream.url, data: 'x', headers: { [name]: '5' } }), new RegExp(`headers.*${name}`));
    }
  });

  test('only http: and https: URLs are called', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://127.0.0.1/x', 'not a url', '/relative/path', `gopher://127.0.0.1:${upstream.port}/`]) {
      assert.match(await rejected('GetRequest', { url }), /\burl\b/, url);
    }
  });

  test('params that are not an object are a 400 naming params', async () => {
    assert.match(await rejected('GetRequest', { url: upstream.url, params: [1, 2] }), /\bparams\b/);
  });

  test('spiff__ keys never reach the third party', async () => {
    const spiff = {
      spiff__task_data: { marker: 'TASK-DATA-MARKER' },
      spiff__process_instance_id: 4242,
      spiff__process_model_identifier: 'MODEL-MARKER',
      spiff__task_id: 'TASK-ID-MARKER',
      spiff__callback_url: 'http://127.0.0.1:1/CALLBACK-MARKER',
    };
    const requests = [
      await sent('GetRequest', { url: upstream.url, params: { a: 1 }, ...spiff }),
      await sent('PostRequest', { url: upstream.url, data: { a: 1 }, ...spiff }),
      await sent('PutRequest', { url: upstream.url, body_format: 'form', data: { a: 1 }, ...spiff }),
    ];
    for (const request of requests) {
      const everything = JSON.stringify(request);
      assert.doesNotMatch(everything, /MARKER|spiff__|4242/);
    }
  });
});
