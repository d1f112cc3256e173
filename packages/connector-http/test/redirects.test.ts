import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { RunningProxy } from '@connector-proxy/server';
import { callCommand, startHttpProxy, type CommandAnswer } from './http-proxy.js';
import { answerJson, startUpstream, type SeenRequest, type Upstream } from './upstream-server.js';

/** What `/echo` answers: the request as it arrived at the last hop. */
interface Echo {
  method: string;
  body: string;
  contentType: string | null;
  authorization: string | null;
  cookie: string | null;
  trace: string | null;
}

function echo(request: SeenRequest, response: ServerResponse): void {
  const header = (name: string) => (request.headers[name] as string | undefined) ?? null;
  answerJson(response, 200, {
    method: request.method,
    body: request.body,
    contentType: header('content-type'),
    authorization: header('authorization'),
    cookie: header('cookie'),
    trace: header('x-trace'),
  } satisfies Echo);
}

function redirect(response: ServerResponse, status: number, location?: string): void {
  response.writeHead(status, location === undefined ? {} : { location }).end('moved');
}

describe('redirects of the HTTP commands', () => {
  let proxy: RunningProxy;
  let main: Upstream;
  let other: Upstream;

  before(async () => {
    other = await startUpstream((request, response) => {
      if (request.url === '/echo') return echo(request, response);
      if (request.url === '/headers') return answerJson(response, 200, { headers: request.headers, body: request.body });
      return answerJson(response, 404, { missing: true });
    });
    main = await startUpstream((request, response) => {
      const [, route = '', arg = ''] = request.url.split('/');
      const n = Number(arg);
      switch (route) {
        case 'echo':
          return echo(request, response);
        case 'chain': // /chain/N: N redirects, then /echo
          return n === 0 ? echo(request, response) : redirect(response, 302, `/chain/${n - 1}`);
        case 'status': // /status/303: that status, to /echo
          return redirect(response, n, '/echo');
        case 'relative': // /relative/a/b: a Location relative to the current path
          return redirect(response, 302, request.url === '/relative/a/b' ? '../c' : '/echo');
        case 'other':
          return redirect(response, 302, `${other.url}/${arg}`);
        case 'cross': // /cross/307: that status, to the other server's /headers
          return redirect(response, n, `${other.url}/headers`);
        case 'metadata':
          return redirect(response, 302, 'http://169.254.169.254/latest/meta-data/');
        case 'ftp':
          return redirect(response, 302, 'ftp://files.example.com/secret.txt');
        case 'no-location':
          return redirect(response, 302);
        default:
          return answerJson(response, 404, { missing: request.url });
      }
    });
    proxy = await startHttpProxy({ CONNECTOR_PROXY_HTTP_TIMEOUT_MS: '2000' });
  });
  after(async () => {
    await proxy.close();
    await Promise.all([main.close(), other.close()]);
  });

  const echoed = (answer: CommandAnswer): Echo => {
    assert.equal(answer.envelope.error, null, JSON.stringify(answer.envelope.error));
    return answer.envelope.command_response.body as Echo;
  };

  function assertFailure(answer: CommandAnswer, code: string, httpStatus: number): void {
    assert.equal(answer.status, 200);
    assert.equal(answer.envelope.error?.error_code, code, JSON.stringify(answer.envelope));
    assert.equal(answer.envelope.command_response.http_status, httpStatus);
  }

  test('a chain of 302s is followed for a GET; each hop is one log line', async () => {
    const answer = await callCommand(proxy, 'GetRequest', { url: `${main.url}/chain/3` });
    assert.equal(echoed(answer).method, 'GET');
    assert.equal(answer.envelope.command_response.http_status, 200);
    assert.deepEqual(
      answer.envelope.spiff__logs.map((line) => /GET http:\/\/127\.0\.0\.1:\d+(\S+) -> (\d+)/.exec(line)?.slice(1).join(' ')),
      ['/chain/3 302', '/chain/2 302', '/chain/1 302', '/chain/0 200'],
    );
  });

  test('a relative Location is resolved against the current URL', async () => {
    await callCommand(proxy, 'GetRequest', { url: `${main.url}/relative/a/b` });
    assert.deepEqual(main.seen.slice(-3).map((request) => request.url), ['/relative/a/b', '/relative/c', '/echo']);
  });

  test('10 redirects are followed; an 11th is TooManyRedirects (502)', async () => {
    assert.equal(echoed(await callCommand(proxy, 'GetRequest', { url: `${main.url}/chain/10` })).method, 'GET');
    const before = main.seen.length;
    const answer = await callCommand(proxy, 'GetRequest', { url: `${main.url}/chain/11` });
    assertFailure(answer, 'TooManyRedirects', 502);
    assert.match(answer.envelope.error!.message, /after 10 redirects/);
    assert.equal(main.seen.length - before, 11, 'the 12th request is never sent');
  });

  test('POST answered 303 goes on as a GET without the body', async () => {
    const answer = await callCommand(proxy, 'PostRequest', { url: `${main.url}/status/303`, data: { order: 7 } });
    assert.deepEqual(echoed(answer), { method: 'GET', body: '', contentType: null, authorization: null, cookie: null, trace: null });
    assert.equal(main.seen.at(-2)?.body, '{"order":7}', 'the first hop had the body');
  });

  test('303 turns every method but HEAD into GET; 302 too, and 301 only a POST, as requests does', async () => {
    const cases: Array<[string, number, string]> = [
      ['PutRequest', 303, 'GET'],
      ['DeleteRequest', 303, 'GET'],
      ['HeadRequest', 303, 'HEAD'],
      ['PatchRequest', 302, 'GET'],
      ['PostRequest', 301, 'GET'],
      ['PutRequest', 301, 'PUT'],
    ];
    for (const [command, status, method] of cases) {
      await callCommand(proxy, command, { url: `${main.url}/status/${status}`, data: { a: 1 } });
      const last = main.seen.at(-1)!;
      assert.deepEqual([last.url, last.method, last.body], ['/echo', method, ''], `${command} answered ${status}`);
    }
  });

  test('307 and 308 resend the same method and body', async () => {
    for (const [command, status, method] of [['PostRequest', 307, 'POST'], ['PutRequest', 308, 'PUT']] as const) {
      const answer = await callCommand(proxy, command, { url: `${main.url}/status/${status}`, data: { order: 7 } });
      const last = echoed(answer);
      assert.deepEqual([last.method, last.body, last.contentType], [method, '{"order":7}', 'application/json'], `${command} answered ${status}`);
    }
  });

  test('Authorization (basic auth too) and Cookie are dropped when the origin changes, with every header not known to be safe', async () => {
    const headers = { Cookie: 'session=abc', 'X-Trace': 't-1' };
    const credentials = { basic_auth_username: 'ada', basic_auth_password: 'pw' };
    const crossOrigin = echoed(await callCommand(proxy, 'GetRequest', { url: `${main.url}/other/echo`, headers, ...credentials }));
    assert.deepEqual([crossOrigin.authorization, crossOrigin.cookie, crossOrigin.trace], [null, null, null]);
    assert.match(String(main.seen.at(-1)?.headers.authorization), /^Basic /, 'the first hop had them');

    const bearer = echoed(await callCommand(proxy, 'GetRequest', { url: `${main.url}/other/echo`, headers: { Authorization: 'Bearer tok' } }));
    assert.equal(bearer.authorization, null);

    const sameOrigin = echoed(await callCommand(proxy, 'GetRequest', { url: `${main.url}/status/302`, headers, ...credentials }));
    assert.deepEqual([sameOrigin.authorization, sameOrigin.cookie], [`Basic ${Buffer.from('ada:pw').toString('base64')}`, 'session=abc']);
  });

  test('a redirect to another origin carries only headers that hold no credentials: API keys and tokens stay behind', async () => {
    const headers = {
      'X-Api-Key': 'key-123',
      'Private-Token': 'glpat-456',
      'X-Auth-Token': 'tok-789',
      'X-Amz-Security-Token': 'sts-0',
      'X-Custom': 'anything',
      Accept: 'application/json',
      'Accept-Language': 'de',
      'User-Agent': 'workflow/1',
    };
    const seenBy = async (command: string, status: number, extra: Record<string, unknown> = {}) => {
      const answer = await callCommand(proxy, command, { url: `${main.url}/cross/${status}`, headers, ...extra });
      assert.equal(answer.envelope.error, null, JSON.stringify(answer.envelope.error));
      assert.equal(main.seen.at(-1)?.headers['x-api-key'], 'key-123', 'the first hop had them');
      return answer.envelope.command_response.body as { headers: Record<string, string>; body: string };
    };
    for (const [command, status] of [['GetRequest', 302], ['GetRequest', 301], ['PostRequest', 303], ['PostRequest', 307], ['PutRequest', 308]] as const) {
      const { headers: arrived } = await seenBy(command, status, { data: { order: 7 } });
      for (const name of ['x-api-key', 'private-token', 'x-auth-token', 'x-amz-security-token', 'x-custom']) {
        assert.equal(arrived[name], undefined, `${name} reached the other origin after ${command} ${status}`);
      }
      assert.deepEqual([arrived.accept, arrived['accept-language'], arrived['user-agent']], ['application/json', 'de', 'workflow/1'], `${command} ${status}`);
    }
    const resent = await seenBy('PostRequest', 307, { data: { order: 7 } });
    assert.deepEqual([resent.headers['content-type'], resent.body], ['application/json', '{"order":7}'], '307 resends the body with its type');

    const sameOrigin = main.seen.length;
    await callCommand(proxy, 'GetRequest', { url: `${main.url}/status/302`, headers });
    assert.deepEqual(main.seen.slice(sameOrigin).map((request) => request.headers['x-api-key']), ['key-123', 'key-123'], 'the same origin gets them all');
  });

  test('errors after a redirect name the host that answered', async () => {
    const answer = await callCommand(proxy, 'GetRequest', { url: `${main.url}/other/nothing-here` });
    assertFailure(answer, 'HttpError404', 404);
    assert.match(answer.envelope.error!.message, new RegExp(`127\\.0\\.0\\.1:${other.port} answered 404`));
  });

  test('follow_redirects false answers the 3xx itself as HttpError302', async () => {
    const answer = await callCommand(proxy, 'PostRequest', { url: `${main.url}/status/302`, follow_redirects: false, include_response_headers: true });
    assertFailure(answer, 'HttpError302', 302);
    assert.equal(answer.envelope.command_response.headers.location, '/echo');
    assert.equal(main.seen.at(-1)?.url, '/status/302', 'the Location was not visited');
  });

  test('a 302 without a Location is not followed: HttpError302', async () => {
    assertFailure(await callCommand(proxy, 'GetRequest', { url: `${main.url}/no-location` }), 'HttpError302', 302);
  });

  test('a redirect to a denied address is EgressDenied (403), checked before connecting', async () => {
    const answer = await callCommand(proxy, 'GetRequest', { url: `${main.url}/metadata` });
    assertFailure(answer, 'EgressDenied', 403);
    assert.ok(answer.elapsedMs < 1_000, `answered after ${Math.round(answer.elapsedMs)} ms`);
  });

  test('a redirect to anything but http(s) is InvalidRedirect (502), without quoting the Location', async () => {
    const answer = await callCommand(proxy, 'GetRequest', { url: `${main.url}/ftp` });
    assertFailure(answer, 'InvalidRedirect', 502);
    assert.match(answer.envelope.error!.message, /ftp:/);
    assert.doesNotMatch(answer.envelope.error!.message, /secret\.txt/);
  });
});
