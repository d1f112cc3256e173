import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningProxy } from '@connector-proxy/server';
import { callCommand, LogCapture, startHttpProxy } from './http-proxy.js';
import { answerJson, startUpstream, type Upstream } from './upstream-server.js';

/** Secrets a workflow may put in a URL: none of them may reach a log line or `spiff__logs`. */
const WEBHOOK_TOKEN = '9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const SIGNATURE = 'sv-sig-7Hq2';
const AMZ_SIGNATURE = 'a9c1e5d3b7f2';
const PASSWORD = 'hunter22';
const OAUTH_CODE = '4/0AX4XfWh-code';
const SLACK_SECRET = 'XXXXXXXXXXXXXXXXXXXXXXXX';

describe('URLs in the log lines and spiff__logs of real HTTP calls', () => {
  let upstream: Upstream;
  let proxy: RunningProxy;
  const logs = new LogCapture();

  before(async () => {
    upstream = await startUpstream((request, response) => {
      // The first hop redirects to a URL with an OAuth code in its query, as an authorization server does.
      if (request.url.startsWith('/hooks/')) return response.writeHead(302, { location: `/landing?code=${encodeURIComponent(OAUTH_CODE)}&state=s1` }).end();
      answerJson(response, 200, { ok: true });
    });
    proxy = await startHttpProxy({ CONNECTOR_PROXY_HTTP_TIMEOUT_MS: '2000', CONNECTOR_PROXY_EGRESS_DENY: 'hooks.slack.com', CONNECTOR_PROXY_LOG_LEVEL: 'debug' }, logs);
  });
  after(async () => {
    await proxy.close();
    await upstream.close();
  });

  function assertNoSecretIn(texts: string[]): void {
    for (const text of texts) {
      for (const secret of [WEBHOOK_TOKEN, SIGNATURE, AMZ_SIGNATURE, PASSWORD, OAUTH_CODE, encodeURIComponent(OAUTH_CODE), SLACK_SECRET]) {
        assert.ok(!text.includes(secret), `${secret} leaked into: ${text.slice(0, 300)}`);
      }
    }
  }

  test('query values and token-like path segments are hidden, on every hop; names, hosts and statuses stay', async () => {
    const url = `${upstream.url}/hooks/${WEBHOOK_TOKEN}?sig=${SIGNATURE}&X-Amz-Signature=${AMZ_SIGNATURE}&pass=${PASSWORD}&page=2`;
    const answer = await callCommand(proxy, 'GetRequest', { url });
    assert.equal(answer.envelope.error, null, JSON.stringify(answer.envelope.error));
    assert.equal(upstream.seen[0]?.url, `/hooks/${WEBHOOK_TOKEN}?sig=${SIGNATURE}&X-Amz-Signature=${AMZ_SIGNATURE}&pass=${PASSWORD}&page=2`, 'the upstream got the real URL');

    const lines = answer.envelope.spiff__logs;
    assert.match(lines[0] ?? '', /GET http:\/\/127\.0\.0\.1:\d+\/hooks\/\[Redacted\]\?sig=\[Redacted\]&X-Amz-Signature=\[Redacted\]&pass=\[Redacted\]&page=\[Redacted\] -> 302/);
    assert.match(lines[1] ?? '', /GET http:\/\/127\.0\.0\.1:\d+\/landing\?code=\[Redacted\]&state=\[Redacted\] -> 200/);
    assertNoSecretIn([...lines, ...logs.lines]);
  });

  test('a Slack webhook URL keeps its team and channel ids and loses its secret', async () => {
    const answer = await callCommand(proxy, 'PostRequest', { url: `https://hooks.slack.com/services/T000/B000/${SLACK_SECRET}`, data: { text: 'hi' } });
    assert.equal(answer.envelope.error?.error_code, 'EgressDenied', 'refused by name: nothing leaves the machine');
    assert.match(answer.envelope.spiff__logs.join('\n'), /POST https:\/\/hooks\.slack\.com\/services\/T000\/B000\/\[Redacted\] -> EgressDenied/);
    assertNoSecretIn([...answer.envelope.spiff__logs, JSON.stringify(answer.envelope), ...logs.lines]);
  });
});
