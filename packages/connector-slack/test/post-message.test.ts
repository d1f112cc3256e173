import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { startProxy } from '@connector-proxy/server';
import slack, { API_URL_VARIABLE, SlackErrorCodes } from '@connector-proxy/connector-slack';
import { Channels, KNOWN_CHANNEL, startSlackApiServer, VALID_TOKEN, type SlackApiServer } from './slack-api-server.js';

type RunningProxy = Awaited<ReturnType<typeof startProxy>>;

interface Envelope {
  command_response: { body: Record<string, unknown>; http_status?: number; headers: Record<string, string> };
  error: { error_code: string; message: string } | null;
  spiff__logs: string[];
}

interface Answer {
  status: number;
  retryAfter: string | null;
  envelope: Envelope;
  /** The whole answer as received, to look for the token in. */
  text: string;
}

const HTTP_TIMEOUT_MS = 1000;
const LEAK_CHECK_TOKEN = 'xoxb-9999999999-8888888888888-NotTheRightTokenAtAll';

const spiffKeys = {
  spiff__process_instance_id: 42,
  spiff__task_id: 'task-1',
  spiff__task_data: { secret_note: 'not for Slack' },
  spiff__callback_url: 'http://127.0.0.1:1/callback',
};

/** A proxy serving only the Slack connector against `apiUrl`, with every log line kept. */
async function startSlackProxy(apiUrl: string, logLines: string[]): Promise<RunningProxy> {
  return startProxy({
    connectors: [slack],
    env: { [API_URL_VARIABLE]: apiUrl, CONNECTOR_PROXY_HTTP_TIMEOUT_MS: String(HTTP_TIMEOUT_MS) },
    logStream: { write: (line: string) => void logLines.push(line) },
  });
}

async function call(proxy: RunningProxy, params: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(`${proxy.url}/v1/do/slack/PostMessage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...params, ...spiffKeys }),
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), envelope: JSON.parse(text) as Envelope, text };
}

/** Asserts the shape every Slack failure shares: the command ran (200), the code, the upstream status. */
function assertSlackFailure(answer: Answer, code: string, httpStatus: number): void {
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.envelope.error?.error_code, code, answer.text);
  assert.equal(answer.envelope.command_response.http_status, httpStatus, answer.text);
  assert.equal(answer.envelope.command_response.body.ok, false);
}

function assertNoToken(text: string, token = VALID_TOKEN): void {
  assert.ok(!text.includes(token), `the token leaked into: ${text.slice(0, 500)}`);
}

describe('slack/PostMessage through the proxy', () => {
  let slackApi: SlackApiServer;
  let proxy: RunningProxy;
  const logLines: string[] = [];

  before(async () => {
    slackApi = await startSlackApiServer();
    proxy = await startSlackProxy(slackApi.url, logLines);
  });

  after(async () => {
    await proxy?.close();
    await slackApi?.close();
  });

  test('is listed with its parameters in /v1/commands', async () => {
    const response = await fetch(`${proxy.url}/v1/commands`, { signal: AbortSignal.timeout(5000) });
    const commands = (await response.json()) as { id: string; parameters: Array<{ description?: string }> }[];
    const postMessage = commands.find((command) => command.id === 'slack/PostMessage');
    // The protocol's fields; descriptions are checked for every connector in packages/server/test/command-descriptions.test.ts.
    assert.deepEqual(postMessage?.parameters.map(({ description: _, ...listed }) => listed), [
      { id: 'token', type: 'str', required: true },
      { id: 'channel', type: 'str', required: true },
      { id: 'message', type: 'str', required: true },
      { id: 'blocks', type: 'any', required: false },
      { id: 'thread_ts', type: 'str', required: false },
    ]);
  });

  test('posts the message to Slack and returns Slack\'s reply', async () => {
    const callsBefore = slackApi.calls.length;
    const answer = await call(proxy, { token: VALID_TOKEN, channel: KNOWN_CHANNEL, message: 'Deploy finished :rocket:' });

    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.envelope.error, null);
    assert.equal(answer.envelope.command_response.http_status, 200);
    const body = answer.envelope.command_response.body;
    assert.equal(body.ok, true);
    assert.equal(body.channel, KNOWN_CHANNEL);
    assert.match(String(body.ts), /^\d+\.\d+$/);
    assert.deepEqual((body.message as Record<string, unknown>).text, 'Deploy finished :rocket:');
    assertNoToken(answer.text);

    const received = slackApi.calls.slice(callsBefore);
    assert.equal(received.length, 1);
    assert.equal(received[0]?.authorization, `Bearer ${VALID_TOKEN}`);
    assert.equal(received[0]?.contentType, 'application/json; charset=utf-8');
    // Only Slack's own fields go out: no token in the body, no spiff__ keys or task data.
    assert.deepEqual(received[0]?.body, { channel: KNOWN_CHANNEL, text: 'Deploy finished :rocket:' });
  });

  test('sends blocks and thread_ts when given, and ignores them when null', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Approved*' } }];
    const callsBefore = slackApi.calls.length;
    const threaded = await call(proxy, { token: VALID_TOKEN, channel: KNOWN_CHANNEL, message: 'Approved', blocks, thread_ts: '1700000000.000001' });
    const plain = await call(proxy, { token: VALID_TOKEN, channel: KNOWN_CHANNEL, message: 'Plain', blocks: null, thread_ts: null });

    assert.equal(threaded.envelope.error, null, threaded.text);
    assert.equal((threaded.envelope.command_response.body.message as Record<string, unknown>).thread_ts, '1700000000.000001');
    assert.equal(plain.envelope.error, null, plain.text);
    const [first, second] = slackApi.calls.slice(callsBefore);
    assert.deepEqual(first?.body, { channel: KNOWN_CHANNEL, text: 'Approved', blocks, thread_ts: '1700000000.000001' });
    assert.deepEqual(second?.body, { channel: KNOWN_CHANNEL, text: 'Plain' });
  });

  test('an unknown channel is SlackChannelNotFound with http_status 400', async () => {
    const answer = await call(proxy, { token: VALID_TOKEN, channel: 'C0NOSUCH', message: 'hello' });
    assertSlackFailure(answer, SlackErrorCodes.channelNotFound, 400);
    assert.equal(answer.envelope.command_response.body.error, 'channel_not_found');
    assert.match(answer.envelope.error?.message ?? '', /C0NOSUCH/);
  });

  test('a channel the app has not joined is SlackNotInChannel with http_status 400', async () => {
    const answer = await call(proxy, { token: VALID_TOKEN, channel: Channels.notMember, message: 'hello' });
    assertSlackFailure(answer, SlackErrorCodes.notInChannel, 400);
  });

  test('a bad token is SlackInvalidAuth with http_status 401, and is not echoed', async () => {
    const answer = await call(proxy, { token: LEAK_CHECK_TOKEN, channel: KNOWN_CHANNEL, message: 'hello' });
    assertSlackFailure(answer, SlackErrorCodes.invalidAuth, 401);
    assert.equal(answer.envelope.command_response.body.error, 'invalid_auth');
    assertNoToken(answer.text, LEAK_CHECK_TOKEN);
  });

  test('any other Slack reason is SlackApiError naming the reason', async () => {
    const answer = await call(proxy, { token: VALID_TOKEN, channel: Channels.archived, message: 'hello' });
    assertSlackFailure(answer, SlackErrorCodes.apiError, 400);
    assert.equal(answer.envelope.command_response.body.error, 'is_archived');
    assert.match(answer.envelope.error?.message ?? '', /is_archived/);
  });

  test('a Slack reply that repeats the token reaches the workflow without it', async () => {
    const answer = await call(proxy, { token: VALID_TOKEN, channel: Channels.echoToken, message: 'hello' });
    assertSlackFailure(answer, SlackErrorCodes.apiError, 400);
    assert.equal(answer.envelope.command_response.body.detail, 'received [Redacted]');
    assertNoToken(answer.text);
  });

  test('HTTP 429 is SlackRateLimited with http_status 429 and Slack\'s Retry-After', async () => {
    const answer = await call(proxy, { token: VALID_TOKEN, channel: Channels.rateLimited, message: 'hello' });
    assertSlackFailure(answer, SlackErrorCodes.rateLimited, 429);
    assert.match(answer.envelope.error?.message ?? '', /7 seconds/);
    assert.equal(answer.retryAfter, '7');
    assert.equal(answer.envelope.command_response.headers['retry-after'], '7');
  });

  test('Slack\'s 500 is SlackUnavailable with http_status 502, its 503 with 503', async () => {
    const failed = await call(proxy, { token: VALID_TOKEN, channel: Channels.serverError, message: 'hello' });
    assertSlackFailure(failed, SlackErrorCodes.unavailable, 502);
    assert.match(String(failed.envelope.command_response.body.raw_response), /Internal Server Error/);
    const unavailable = await call(proxy, { token: VALID_TOKEN, channel: Channels.unavailable, message: 'hello' });
    assertSlackFailure(unavailable, SlackErrorCodes.unavailable, 503);
  });

  test('a reply that is not JSON is SlackInvalidResponse with http_status 502', async () => {
    const answer = await call(proxy, { token: VALID_TOKEN, channel: Channels.notJson, message: 'hello' });
    assertSlackFailure(answer, SlackErrorCodes.invalidResponse, 502);
  });

  test('Slack not answering in time is SlackTimeout with http_status 504, soon after the timeout', async () => {
    const started = Date.now();
    const answer = await call(proxy, { token: VALID_TOKEN, channel: Channels.slow, message: 'hello' });
    const elapsed = Date.now() - started;
    assertSlackFailure(answer, SlackErrorCodes.timeout, 504);
    assert.ok(elapsed >= HTTP_TIMEOUT_MS - 50 && elapsed < HTTP_TIMEOUT_MS + 2000, `answered after ${elapsed} ms`);
  });

  test('a missing channel is a 400 invalid_parameters naming it, before calling Slack', async () => {
    const callsBefore = slackApi.calls.length;
    const answer = await call(proxy, { token: VALID_TOKEN, message: 'hello' });
    assert.equal(answer.status, 400, answer.text);
    assert.equal(answer.envelope.error?.error_code, 'invalid_parameters');
    assert.match(answer.envelope.error?.message ?? '', /channel/);
    assert.equal(slackApi.calls.length, callsBefore);
    assertNoToken(answer.text);
  });

  test('a token with a line break in it is a 400 naming the parameter, not its value', async () => {
    const answer = await call(proxy, { token: `xoxb-12345\nInjected: ${LEAK_CHECK_TOKEN}`, channel: KNOWN_CHANNEL, message: 'hello' });
    assert.equal(answer.status, 400, answer.text);
    assert.equal(answer.envelope.error?.error_code, 'invalid_parameters');
    assert.match(answer.envelope.error?.message ?? '', /token/);
    assertNoToken(answer.text, LEAK_CHECK_TOKEN);
  });

  // Runs last in this group: by now every kind of call has been logged.
  test('no log line carries a token', () => {
    assert.ok(logLines.length > 0, 'the proxy logged nothing');
    assert.ok(logLines.some((line) => line.includes(KNOWN_CHANNEL)), 'the command\'s own log lines are missing');
    for (const line of logLines) {
      assertNoToken(line);
      assertNoToken(line, LEAK_CHECK_TOKEN);
    }
  });
});

describe('slack/PostMessage with Slack out of reach', () => {
  test('an API URL where nothing listens is SlackUnreachable with http_status 502', async () => {
    const closedPort = await freePort();
    const logLines: string[] = [];
    const proxy = await startSlackProxy(`http://127.0.0.1:${closedPort}/api`, logLines);
    try {
      const answer = await call(proxy, { token: VALID_TOKEN, channel: KNOWN_CHANNEL, message: 'hello' });
      assertSlackFailure(answer, SlackErrorCodes.unreachable, 502);
      assert.match(answer.envelope.error?.message ?? '', new RegExp(`127\\.0\\.0\\.1:${closedPort}`));
      assertNoToken(answer.text);
      for (const line of logLines) assertNoToken(line);
    } finally {
      await proxy.close();
    }
  });

  test('an API URL that answers with bytes that are not HTTP is SlackInvalidResponse (502), not an internal error', async () => {
    // Reading what the proxy sends lets the socket, and so the server, close once it hangs up.
    const notHttp = createNetServer((socket) => socket.resume().end('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
    await new Promise<void>((resolve) => notHttp.listen(0, '127.0.0.1', resolve));
    const { port } = notHttp.address() as AddressInfo;
    const logLines: string[] = [];
    const proxy = await startSlackProxy(`http://127.0.0.1:${port}/api`, logLines);
    try {
      const answer = await call(proxy, { token: VALID_TOKEN, channel: KNOWN_CHANNEL, message: 'hello' });
      assertSlackFailure(answer, SlackErrorCodes.invalidResponse, 502);
      assert.match(answer.envelope.error?.message ?? '', /not valid HTTP/);
      assertNoToken(answer.text);
    } finally {
      await proxy.close();
      await new Promise<void>((resolve) => notHttp.close(() => resolve()));
    }
  });
});

describe('slack connector configuration', () => {
  for (const value of ['ftp://files.example.com/api', 'not a url', 'https://slack.com/api?token=abc']) {
    test(`refuses to start with ${API_URL_VARIABLE}=${value}`, async () => {
      await assert.rejects(startSlackProxy(value, []), (error: Error) => {
        assert.match(error.message, new RegExp(API_URL_VARIABLE));
        assert.ok(!error.message.includes('abc'), 'the message repeats the URL');
        return true;
      });
    });
  }
});

/** A port that was free a moment ago and has nothing listening on it now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
