import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startProxy, type RunningProxy } from '@connector-proxy/server';
import smtp from '../src/index.js';
import {
  GREYLISTED_LOCAL_PART,
  LOGIN_REQUIRED_SENDER,
  PERMANENTLY_REJECTED_SUBJECT,
  REFUSED_LOCAL_PART,
  SMTP_PASSWORD,
  SMTP_USER,
  TRANSIENTLY_REJECTED_SUBJECT,
  startSilentServer,
  startTestSmtpServer,
  unusedPort,
  type TestSmtpServer,
} from './smtp-test-server.js';

interface Envelope {
  command_response: { body: Record<string, unknown>; http_status?: number };
  error: { error_code: string; message: string } | null;
  spiff__logs: string[];
}

interface Answer {
  status: number;
  text: string;
  envelope: Envelope;
}

async function sendEmail(proxy: RunningProxy, params: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(`${proxy.url}/v1/do/smtp/SendEmail`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...params, spiff__task_data: { secret_note: 'not for the mail server' } }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, text, envelope: JSON.parse(text) as Envelope };
}

/** A log stream that keeps every line the proxy writes. */
function collectingLogStream(): { lines: string[]; write(line: string): void } {
  const lines: string[] = [];
  return { lines, write: (line: string) => void lines.push(line) };
}

const ATTACHMENT_BYTES = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10, 0x80]);

describe('smtp/SendEmail', () => {
  let server: TestSmtpServer;
  let proxy: RunningProxy;
  const logs = collectingLogStream();

  const basics = () => ({
    smtp_host: '127.0.0.1',
    smtp_port: server.port,
    email_subject: 'Quarterly report',
    email_body: 'The report is attached.',
    email_from: 'Reports <reports@example.org>',
    email_to: 'ann@example.org',
  });

  before(async () => {
    server = await startTestSmtpServer();
    proxy = await startProxy({ connectors: [smtp], env: { CONNECTOR_PROXY_HTTP_TIMEOUT_MS: '3000' }, logStream: logs });
  });

  after(async () => {
    await proxy.close();
    await server.close();
  });

  test('is listed with the parameters and types of the protocol', async () => {
    const response = await fetch(`${proxy.url}/v1/commands`);
    const commands = (await response.json()) as { id: string; parameters: { id: string; type: string; required: boolean; description?: string }[] }[];
    const sendEmailCommand = commands.find((c) => c.id === 'smtp/SendEmail');
    assert.ok(sendEmailCommand);
    const byId = new Map(sendEmailCommand.parameters.map((p) => [p.id, p]));
    const expected: [string, string, boolean][] = [
      ['smtp_host', 'str', true],
      ['smtp_port', 'int', true],
      ['email_subject', 'str', true],
      ['email_body', 'str', true],
      ['email_to', 'str', true],
      ['email_from', 'str', true],
      ['smtp_user', 'str', false],
      ['smtp_password', 'str', false],
      ['smtp_starttls', 'bool', false],
    ];
    for (const [id, type, required] of expected) {
      const listed = byId.get(id);
      assert.ok(listed, id);
      const { description, ...shape } = listed;
      assert.deepEqual(shape, { id, type, required }, id);
      assert.ok(typeof description === 'string' && description.length > 0, `${id} has a description`);
    }
    for (const extra of ['email_cc', 'email_bcc', 'email_html', 'email_reply_to', 'attachments']) {
      assert.equal(byId.get(extra)?.required, false, extra);
    }
  });

  test('delivers subject, body, sender, recipients, cc, html and an attachment', async () => {
    const before = server.messages.length;
    const answer = await sendEmail(proxy, {
      ...basics(),
      email_to: 'ann@example.org, "Doe, Bob" <bob@example.org>',
      email_cc: ['carl@example.org'],
      email_reply_to: 'replies@example.org',
      email_html: '<p>The report is <b>attached</b>.</p>',
      attachments: [`data:application/octet-stream;name=report%20q3.bin;base64,${ATTACHMENT_BYTES.toString('base64')}`],
    });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.envelope.error, null);
    assert.equal(answer.envelope.command_response.http_status, 200);
    const body = answer.envelope.command_response.body;
    assert.deepEqual(body.accepted, ['ann@example.org', 'bob@example.org', 'carl@example.org']);
    assert.deepEqual(body.rejected, []);
    assert.match(String(body.message_id), /^<.+@.+>$/);
    assert.match(String(body.response), /^250 /);

    assert.equal(server.messages.length, before + 1);
    const message = server.messages.at(-1)!;
    assert.equal(message.from, 'reports@example.org');
    assert.deepEqual(message.recipients, ['ann@example.org', 'bob@example.org', 'carl@example.org']);
    const raw = message.raw;
    assert.match(raw, /^Subject: Quarterly report\r$/m);
    assert.match(raw, /^From: Reports <reports@example\.org>\r$/m);
    assert.match(raw, /^To: ann@example\.org, "Doe, Bob" <bob@example\.org>\r$/m);
    assert.match(raw, /^Cc: carl@example\.org\r$/m);
    assert.match(raw, /^Reply-To: replies@example\.org\r$/m);
    assert.match(raw, new RegExp(`^Message-ID: ${String(body.message_id).replace(/[.+]/g, '\\$&')}\r$`, 'm'));
    assert.match(raw, /Content-Type: text\/plain/);
    assert.ok(raw.includes('The report is attached.'));
    assert.match(raw, /Content-Type: text\/html/);
    assert.ok(raw.includes('<p>The report is <b>attached</b>.</p>'));
    assert.match(raw, /Content-Type: application\/octet-stream; name="report q3\.bin"/);
    assert.match(raw, /Content-Disposition: attachment; filename="report q3\.bin"/);
    assert.ok(raw.includes(ATTACHMENT_BYTES.toString('base64')), 'the attachment arrives base64-encoded');
    assert.ok(!raw.includes('not for the mail server'), 'task data is never sent');
  });

  test('delivers to bcc recipients without naming them in the headers', async () => {
    const answer = await sendEmail(proxy, { ...basics(), email_bcc: 'hidden@example.org, also-hidden@example.org' });
    assert.equal(answer.status, 200, answer.text);
    const message = server.messages.at(-1)!;
    assert.deepEqual(message.recipients, ['ann@example.org', 'hidden@example.org', 'also-hidden@example.org']);
    assert.ok(!message.raw.includes('hidden@example.org'), 'bcc addresses stay out of the message');
    assert.doesNotMatch(message.raw, /^Bcc:/im);
  });

  test('logs in with smtp_user and smtp_password, and reuses the connection for the next e-mail', async () => {
    const credentials = { smtp_user: SMTP_USER, smtp_password: SMTP_PASSWORD };
    const connectionsBefore = server.connections;
    const first = await sendEmail(proxy, { ...basics(), ...credentials });
    assert.equal(first.status, 200, first.text);
    assert.equal(server.messages.at(-1)!.user, SMTP_USER);
    const second = await sendEmail(proxy, { ...basics(), ...credentials, email_subject: 'Second' });
    assert.equal(second.status, 200, second.text);
    assert.equal(server.messages.at(-1)!.user, SMTP_USER);
    assert.equal(server.connections - connectionsBefore, 1, 'both e-mails went over one pooled connection');
  });

  test('a wrong password is SmtpAuthenticationFailed (401), even right after the right one, and is never echoed', async () => {
    const wrongPassword = 'Wr0ng-Pa55word-xyzzy';
    const answer = await sendEmail(proxy, { ...basics(), smtp_user: SMTP_USER, smtp_password: wrongPassword });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.envelope.error?.error_code, 'SmtpAuthenticationFailed');
    assert.equal(answer.envelope.command_response.http_status, 401);
    assert.match(answer.envelope.error.message, /did not accept the login/);
    assert.match(answer.envelope.error.message, /535/);
    for (const secret of [wrongPassword, SMTP_PASSWORD, Buffer.from(wrongPassword).toString('base64')]) {
      assert.ok(!answer.text.includes(secret), 'no password in the answer');
      assert.ok(!logs.lines.join('\n').includes(secret), 'no password in the logs');
    }
    assert.ok(logs.lines.length > 0, 'the log stream did receive lines');
  });

  test('a sender that needs a login, sent without one, is SmtpAuthenticationFailed (401)', async () => {
    const answer = await sendEmail(proxy, { ...basics(), email_from: LOGIN_REQUIRED_SENDER });
    assert.equal(answer.envelope.error?.error_code, 'SmtpAuthenticationFailed', answer.text);
    assert.equal(answer.envelope.command_response.http_status, 401);
    assert.match(answer.envelope.error.message, /530/);
  });

  test('some recipients refused: sent to the others, the refused ones listed', async () => {
    const refused = `${REFUSED_LOCAL_PART}@example.org`;
    const answer = await sendEmail(proxy, { ...basics(), email_to: `ann@example.org, ${refused}` });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.envelope.error, null);
    assert.deepEqual(answer.envelope.command_response.body.accepted, ['ann@example.org']);
    assert.deepEqual(answer.envelope.command_response.body.rejected, [refused]);
    assert.deepEqual(server.messages.at(-1)!.recipients, ['ann@example.org']);
  });

  test('every recipient refused is SmtpRecipientsRefused (400) naming them', async () => {
    const refused = [`${REFUSED_LOCAL_PART}@example.org`, `${REFUSED_LOCAL_PART}@example.net`];
    const answer = await sendEmail(proxy, { ...basics(), email_to: refused.join(',') });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.envelope.error?.error_code, 'SmtpRecipientsRefused');
    assert.equal(answer.envelope.command_response.http_status, 400);
    for (const address of refused) assert.ok(answer.envelope.error.message.includes(address), address);
    assert.match(answer.envelope.error.message, /550/);
    assert.deepEqual(answer.envelope.command_response.body.rejected, refused);
  });

  test('recipients only deferred (4xx, greylisting) is SmtpRecipientsRefused with 503, so the engine retries', async () => {
    const answer = await sendEmail(proxy, { ...basics(), email_to: `${GREYLISTED_LOCAL_PART}@example.org` });
    assert.equal(answer.envelope.error?.error_code, 'SmtpRecipientsRefused', answer.text);
    assert.equal(answer.envelope.command_response.http_status, 503);
  });

  test('a message the server refuses is SmtpMessageRejected: 5xx → 400, 4xx → 503', async () => {
    const permanent = await sendEmail(proxy, { ...basics(), email_subject: PERMANENTLY_REJECTED_SUBJECT });
    assert.equal(permanent.envelope.error?.error_code, 'SmtpMessageRejected', permanent.text);
    assert.equal(permanent.envelope.command_response.http_status, 400);
    assert.match(permanent.envelope.error.message, /554 .*content filter/);
    const transient = await sendEmail(proxy, { ...basics(), email_subject: TRANSIENTLY_REJECTED_SUBJECT });
    assert.equal(transient.envelope.error?.error_code, 'SmtpMessageRejected', transient.text);
    assert.equal(transient.envelope.command_response.http_status, 503);
  });

  test('nothing listening at the port is SmtpConnectionRefused (502)', async () => {
    const answer = await sendEmail(proxy, { ...basics(), smtp_port: await unusedPort() });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.envelope.error?.error_code, 'SmtpConnectionRefused');
    assert.equal(answer.envelope.command_response.http_status, 502);
    assert.match(answer.envelope.error.message, /connection was refused/);
  });

  test('smtp_starttls against a server without STARTTLS is SmtpTlsRequired (502), never a plain-text send', async () => {
    const before = server.messages.length;
    const answer = await sendEmail(proxy, { ...basics(), smtp_starttls: true });
    assert.equal(answer.envelope.error?.error_code, 'SmtpTlsRequired', answer.text);
    assert.equal(answer.envelope.command_response.http_status, 502);
    assert.equal(server.messages.length, before, 'nothing was sent unencrypted');
  });

  test('bad parameters are 400 invalid_parameters naming each of them', async () => {
    const answer = await sendEmail(proxy, {
      ...basics(),
      email_to: 'ann@example.org, not an address',
      smtp_user: SMTP_USER,
      attachments: ['data:text/plain;name=ok.txt;base64,aGk=', 'data:text/plain;name=broken.txt;base64,@@not-base64@@', 'http://x/y'],
    });
    assert.equal(answer.status, 400, answer.text);
    assert.equal(answer.envelope.error?.error_code, 'invalid_parameters');
    const message = answer.envelope.error.message;
    assert.match(message, /email_to .*"not an address"/);
    assert.match(message, /smtp_password is required when smtp_user is given/);
    assert.match(message, /attachments\[1\] has data that is not valid base64/);
    assert.match(message, /attachments\[2\] does not start with "data:"/);
    assert.doesNotMatch(message, /attachments\[0\]/);
  });

  test('attachments that are not a list of data URLs is 400 naming attachments', async () => {
    const answer = await sendEmail(proxy, { ...basics(), attachments: { file: 'x' } });
    assert.equal(answer.status, 400, answer.text);
    assert.match(answer.envelope.error?.message ?? '', /attachments must be a list of data URLs/);
  });

  test('a port out of range is 400 invalid_parameters', async () => {
    const answer = await sendEmail(proxy, { ...basics(), smtp_port: 70000 });
    assert.equal(answer.status, 400, answer.text);
    assert.equal(answer.envelope.error?.error_code, 'invalid_parameters');
    assert.match(answer.envelope.error.message, /smtp_port/);
  });
});

describe('smtp/SendEmail against servers that misbehave', () => {
  const silent = startSilentServer();
  const tlsServer = startTestSmtpServer({});
  let proxy: RunningProxy;

  before(async () => {
    proxy = await startProxy({ connectors: [smtp], env: { CONNECTOR_PROXY_HTTP_TIMEOUT_MS: '300' }, logStream: collectingLogStream() });
  });

  after(async () => {
    await proxy.close();
    await (await silent).close();
    await (await tlsServer).close();
  });

  const params = (port: number) => ({
    smtp_host: '127.0.0.1',
    smtp_port: port,
    email_subject: 'Hello',
    email_body: 'Hello',
    email_from: 'a@example.org',
    email_to: 'b@example.org',
  });

  test('a server that never greets is SmtpTimeout (504)', async () => {
    const started = Date.now();
    const answer = await sendEmail(proxy, params((await silent).port));
    assert.equal(answer.envelope.error?.error_code, 'SmtpTimeout', answer.text);
    assert.equal(answer.envelope.command_response.http_status, 504);
    assert.ok(Date.now() - started < 2_000, 'bounded by CONNECTOR_PROXY_HTTP_TIMEOUT_MS');
  });

  test('STARTTLS with a certificate that is not trusted is SmtpTlsFailed (502)', async () => {
    const server = await tlsServer;
    const answer = await sendEmail(proxy, { ...params(server.port), smtp_starttls: true });
    assert.equal(answer.envelope.error?.error_code, 'SmtpTlsFailed', answer.text);
    assert.equal(answer.envelope.command_response.http_status, 502);
    assert.match(answer.envelope.error.message, /certificate/);
    assert.equal(server.messages.length, 0);
  });
});
