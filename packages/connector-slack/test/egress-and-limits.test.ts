import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningProxy } from '@connector-proxy/server';
import { assertEgressDenied, callCommand, TestProxies, type CommandAnswer } from '@connector-proxy/server/testing';
import slack, { API_URL_VARIABLE, SlackErrorCodes } from '@connector-proxy/connector-slack';
import { BIG_REPLY_BYTES, Channels, KNOWN_CHANNEL, startSlackApiServer, VALID_TOKEN, type SlackApiServer } from './slack-api-server.js';

const LIMIT = 4096;
const HTTP_TIMEOUT_MS = 5000;

/** Proxies serving only slack, each describe's own. */
const slackProxies = () => new TestProxies({ connectors: [slack], env: { CONNECTOR_PROXY_HTTP_TIMEOUT_MS: String(HTTP_TIMEOUT_MS), CONNECTOR_PROXY_LOG_LEVEL: 'silent' } });

function post(proxy: RunningProxy, channel: string): Promise<CommandAnswer> {
  return callCommand(proxy.url, 'slack/PostMessage', { token: VALID_TOKEN, channel, message: 'hello' });
}

function assertFailure(answer: CommandAnswer, code: string, httpStatus: number): void {
  assert.equal(answer.status, 200);
  assert.equal(answer.envelope.error?.error_code, code, JSON.stringify(answer.envelope).slice(0, 500));
  assert.equal(answer.envelope.command_response.http_status, httpStatus);
}

describe('slack/PostMessage and the egress policy', () => {
  let slackApi: SlackApiServer;
  const proxies = slackProxies();

  before(async () => {
    slackApi = await startSlackApiServer();
  });
  after(async () => {
    await proxies.close();
    await slackApi.close();
  });

  test('an API URL whose name resolves to a denied address is EgressDenied (403); Slack gets no call', async () => {
    const port = new URL(slackApi.url).port;
    const proxy = await proxies.start({ [API_URL_VARIABLE]: `http://localhost:${port}/api`, CONNECTOR_PROXY_EGRESS_DENY: '127.0.0.0/8' });
    const calls = slackApi.calls.length;
    assertEgressDenied(await post(proxy, KNOWN_CHANNEL));
    assert.equal(slackApi.calls.length, calls);
  });

  test('an API URL at the metadata address is refused at once, by default', async () => {
    const proxy = await proxies.start({ [API_URL_VARIABLE]: 'http://169.254.169.254/api' });
    const answer = await post(proxy, KNOWN_CHANNEL);
    assertEgressDenied(answer);
    assert.ok(answer.elapsedMs < 1_000, `answered after ${Math.round(answer.elapsedMs)} ms`);
  });

  test('with the API on the allow list, calls go through', async () => {
    const proxy = await proxies.start({ [API_URL_VARIABLE]: slackApi.url, CONNECTOR_PROXY_EGRESS_ALLOW: '127.0.0.1' });
    const answer = await post(proxy, KNOWN_CHANNEL);
    assert.equal(answer.envelope.error, null, JSON.stringify(answer.envelope.error));
  });
});

describe('slack/PostMessage and CONNECTOR_PROXY_MAX_RESPONSE_BYTES', () => {
  let slackApi: SlackApiServer;
  let proxy: RunningProxy;
  const proxies = slackProxies();

  before(async () => {
    slackApi = await startSlackApiServer();
    proxy = await proxies.start({ [API_URL_VARIABLE]: slackApi.url, CONNECTOR_PROXY_MAX_RESPONSE_BYTES: String(LIMIT) });
  });
  after(async () => {
    await proxies.close();
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
