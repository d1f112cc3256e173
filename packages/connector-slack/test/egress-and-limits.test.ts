import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startProxy } from '@connector-proxy/server';
import slack, { API_URL_VARIABLE, SlackErrorCodes } from '@connector-proxy/connector-slack';
import { BIG_REPLY_BYTES, Channels, KNOWN_CHANNEL, startSlackApiServer, VALID_TOKEN, type SlackApiServer } from './slack-api-server.js';

type RunningProxy = Awaited<ReturnType<typeof startProxy>>;

interface Answer {
  status: number;
  envelope: {
    command_response: { body: Record<string, unknown>; http_status?: number };
    error: { error_code: string; message: string } | null;
  };
  elapsedMs: number;
}

const LIMIT = 4096;
const HTTP_TIMEOUT_MS = 5000;

async function startSlackProxy(env: Record<string, string>): Promise<RunningProxy> {
  return startProxy({ connectors: [slack], env: { CONNECTOR_PROXY_HTTP_TIMEOUT_MS: String(HTTP_TIMEOUT_MS), CONNECTOR_PROXY_LOG_LEVEL: 'silent', ...env } });
}

async function post(proxy: RunningProxy, channel: string): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${proxy.url}/v1/do/slack/PostMessage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: VALID_TOKEN, channel, message: 'hello' }),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, envelope: (await response.json()) as Answer['envelope'], elapsedMs: performance.now() - started };
}

function assertFailure(answer: Answer, code: string, httpStatus: number): void {
  assert.equal(answer.status, 200);
  assert.equal(answer.envelope.error?.error_code, code, JSON.stringify(answer.envelope).slice(0, 500));
  assert.equal(answer.envelope.command_response.http_status, httpStatus);
}

describe('slack/PostMessage and the egress policy', () => {
  let slackApi: SlackApiServer;
  const proxies: RunningProxy[] = [];

  before(async () => {
    slackApi = await startSlackApiServer();
  });
  after(async () => {
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await slackApi.close();
  });

  test('an API URL whose name resolves to a denied address is EgressDenied (403); Slack gets no call', async () => {
    const port = new URL(slackApi.url).port;
    const proxy = await startSlackProxy({ [API_URL_VARIABLE]: `http://localhost:${port}/api`, CONNECTOR_PROXY_EGRESS_DENY: '127.0.0.0/8' });
    proxies.push(proxy);
    const calls = slackApi.calls.length;
    const answer = await post(proxy, KNOWN_CHANNEL);
    assertFailure(answer, 'EgressDenied', 403);
    assert.match(answer.envelope.error!.message, /egress policy/);
    assert.equal(slackApi.calls.length, calls);
  });

  test('an API URL at the metadata address is refused at once, by default', async () => {
    const proxy = await startSlackProxy({ [API_URL_VARIABLE]: 'http://169.254.169.254/api' });
    proxies.push(proxy);
    const answer = await post(proxy, KNOWN_CHANNEL);
    assertFailure(answer, 'EgressDenied', 403);
    assert.ok(answer.elapsedMs < 1_000, `answered after ${Math.round(answer.elapsedMs)} ms`);
  });

  test('with the API on the allow list, calls go through', async () => {
    const proxy = await startSlackProxy({ [API_URL_VARIABLE]: slackApi.url, CONNECTOR_PROXY_EGRESS_ALLOW: '127.0.0.1' });
    proxies.push(proxy);
    const answer = await post(proxy, KNOWN_CHANNEL);
    assert.equal(answer.envelope.error, null, JSON.stringify(answer.envelope.error));
  });
});

describe('slack/PostMessage and CONNECTOR_PROXY_MAX_RESPONSE_BYTES', () => {
  let slackApi: SlackApiServer;
  let proxy: RunningProxy;

  before(async () => {
    slackApi = await startSlackApiServer();
    proxy = await startSlackProxy({ [API_URL_VARIABLE]: slackApi.url, CONNECTOR_PROXY_MAX_RESPONSE_BYTES: String(LIMIT) });
  });
  after(async () => {
    await proxy.close();
    await slackApi.close();
  });

  test(`a reply over the limit (${BIG_REPLY_BYTES} > ${LIMIT} bytes) is ResponseTooLarge (502)`, async () => {
    const answer = await post(proxy, Channels.bigReply);
    assertFailure(answer, SlackErrorCodes.responseTooLarge, 502);
    assert.match(answer.envelope.error!.message, new RegExp(`limit of ${LIMIT} bytes`));
    assert.deepEqual(answer.envelope.command_response.body, { ok: false, error: 'response_too_large' });
  });

  test('an endless reply is cut off quickly, and the next call is served', async () => {
    const answer = await post(proxy, Channels.endlessReply);
    assertFailure(answer, 'ResponseTooLarge', 502);
    assert.ok(answer.elapsedMs < HTTP_TIMEOUT_MS / 5, `answered after ${Math.round(answer.elapsedMs)} ms`);
    assert.equal((await post(proxy, KNOWN_CHANNEL)).envelope.error, null);
  });
});
