import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertEgressDenied, callCommand, LogCapture, TestProxies } from '@connector-proxy/server/testing';
import smtp from '../src/index.js';
import { SMTP_PASSWORD, SMTP_USER, startTestSmtpServer, type TestSmtpServer } from './smtp-test-server.js';

/** The deny list docs/security.md gives as its example of fencing off internal ranges. */
const DOCUMENTED_DENY = '10.0.0.0/8,192.168.0.0/16,127.0.0.0/8';

describe("smtp/SendEmail under the proxy's egress policy", () => {
  let server: TestSmtpServer;
  const logs = new LogCapture();
  const proxies = new TestProxies({ connectors: [smtp], env: { CONNECTOR_PROXY_HTTP_TIMEOUT_MS: '3000' }, logStream: logs });

  /** A message with a login: what must not reach a denied host is the password and the mail. */
  const message = (host: string) => ({
    smtp_host: host,
    smtp_port: server.port,
    smtp_user: SMTP_USER,
    smtp_password: SMTP_PASSWORD,
    email_subject: 'Payroll',
    email_body: 'Confidential.',
    email_from: 'hr@example.org',
    email_to: 'ann@example.org',
  });

  before(async () => {
    server = await startTestSmtpServer();
  });

  after(async () => {
    await proxies.close();
    await server.close();
  });

  test('an SMTP host whose address is denied gets no connection, no login and no message', async () => {
    const proxy = await proxies.start({ CONNECTOR_PROXY_EGRESS_DENY: DOCUMENTED_DENY });
    for (const host of ['127.0.0.1', '0.0.0.0', '::ffff:127.0.0.1']) assertEgressDenied(await callCommand(proxy.url, 'smtp/SendEmail', message(host)));
    assert.equal(server.connections, 0);
    assert.equal(server.messages.length, 0);
  });

  test('a name that resolves to a denied address is denied when connecting: localhost under 127.0.0.0/8 and ::1', async () => {
    const proxy = await proxies.start({ CONNECTOR_PROXY_EGRESS_DENY: '127.0.0.0/8,::1' });
    const answer = await callCommand(proxy.url, 'smtp/SendEmail', message('localhost'));
    assertEgressDenied(answer);
    assert.match(answer.envelope.error!.message, /Connections to localhost .*\(it resolves to a denied address\)/);
    assert.equal(server.connections, 0);
    const warning = logs.records().find((line) => line.msg === 'egress denied' && line.host === 'localhost');
    assert.equal(warning?.reason, 'it resolves to a denied address');
  });

  test('the cloud metadata address is denied by default, before any connection attempt', async () => {
    const proxy = await proxies.start();
    const answer = await callCommand(proxy.url, 'smtp/SendEmail', { ...message('169.254.169.254'), smtp_port: 25 });
    assertEgressDenied(answer);
    assert.ok(answer.elapsedMs < 1_000, `answered after ${Math.round(answer.elapsedMs)} ms`);
  });

  test('ALLOW=localhost lets mail to localhost through, login and all, and nothing else', async () => {
    const proxy = await proxies.start({ CONNECTOR_PROXY_EGRESS_ALLOW: 'localhost' });
    const sent = await callCommand(proxy.url, 'smtp/SendEmail', message('localhost'));
    assert.equal(sent.envelope.error, null, JSON.stringify(sent.envelope));
    assert.equal(server.messages.at(-1)?.user, SMTP_USER, 'the login reached the allowed server');
    const connections = server.connections;
    assertEgressDenied(await callCommand(proxy.url, 'smtp/SendEmail', message('127.0.0.1')));
    assert.equal(server.connections, connections);
  });

  test('no refusal puts the password in an answer or a log line', () => {
    assert.ok(logs.lines.length > 0);
    assert.ok(!logs.text.includes(SMTP_PASSWORD));
  });
});
