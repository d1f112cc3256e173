import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isSensitiveName, redact, redactSecrets, redactUrl, redactUrls } from '@connector-proxy/sdk';

describe('isSensitiveName', () => {
  test('names with a secret-looking part, split at _ - . and case changes', () => {
    const sensitive = [
      'password', 'basic_auth_password', 'smtp_password', 'passwd', 'pwd', 'Authorization', 'X-Auth-Token',
      'authentication', 'client_secret', 'clientSecret', 'token', 'accessToken', 'refresh.token', 'jwt', 'bearer',
      'credentials', 'aws.credential', 'Cookie', 'set-cookie', 'session', 'sessionId', 'key', 'api_key', 'apiKey',
      'APIKey', 'X-Api-Key', 'apikey', 'access_key', 'private_key', 'secret_key', 'csrf', 'X-CSRF-Token',
    ];
    for (const name of sensitive) assert.equal(isSensitiveName(name), true, name);
  });

  test('ordinary names are kept', () => {
    for (const name of ['url', 'headers', 'username', 'email_to', 'channel', 'message', 'table_name', 'monkey', 'keyboard', 'author']) {
      assert.equal(isSensitiveName(name), false, name);
    }
  });
});

describe('redact', () => {
  test('replaces sensitive fields at any depth and leaves the input alone', () => {
    const input = { url: 'https://api.example', headers: { Authorization: 'Basic abc', Accept: 'json' }, nested: [{ deeper: { api_key: 'k' } }] };
    const output = redact(input);
    assert.deepEqual(output, { url: 'https://api.example', headers: { Authorization: '[Redacted]', Accept: 'json' }, nested: [{ deeper: { api_key: '[Redacted]' } }] });
    assert.equal(input.headers.Authorization, 'Basic abc');
  });

  test('hides the value of {id|name: <sensitive>, value} and {type: password, value} pairs', () => {
    assert.deepEqual(redact([{ id: 'smtp_password', value: 's' }, { name: 'X-Api-Key', value: 'k' }, { type: 'password', value: 'p' }, { name: 'city', value: 'Oslo' }]), [
      { id: 'smtp_password', value: '[Redacted]' },
      { name: 'X-Api-Key', value: '[Redacted]' },
      { type: 'password', value: '[Redacted]' },
      { name: 'city', value: 'Oslo' },
    ]);
  });

  test('keeps errors readable and survives cycles', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const output = redact({ err: new Error('boom'), cyclic }) as { err: { message: string }; cyclic: { self: unknown } };
    assert.equal(output.err.message, 'boom');
    assert.equal(output.cyclic.self, '[Truncated]');
  });
});

describe('redactUrl', () => {
  test('drops the password and every query value, keeping the names', () => {
    assert.equal(redactUrl('https://user:pw@host.example/path?token=t&q=1'), 'https://user:[Redacted]@host.example/path?token=[Redacted]&q=[Redacted]');
  });

  test('no query value survives, whatever its name: signatures, OAuth codes, passwords under other names', () => {
    const url = 'https://bucket.s3.example/report.pdf?X-Amz-Credential=AKIA123%2F20240101&X-Amz-Signature=9f86d081884c7d65&sig=sv-2021&code=4%2F0AX4XfWh&pass=hunter2&page=2';
    const redacted = redactUrl(url);
    assert.equal(
      redacted,
      'https://bucket.s3.example/report.pdf?X-Amz-Credential=[Redacted]&X-Amz-Signature=[Redacted]&sig=[Redacted]&code=[Redacted]&pass=[Redacted]&page=[Redacted]',
    );
    for (const secret of ['AKIA123', '9f86d081884c7d65', 'sv-2021', '4%2F0AX4XfWh', 'hunter2']) assert.ok(!redacted.includes(secret), secret);
    assert.equal(redactUrl('https://host.example/?flag&a='), 'https://host.example/?flag&a=', 'no value, nothing to hide');
  });

  test('hides the secret path segments of known webhook URLs', () => {
    const cases: Array<[string, string]> = [
      ['https://hooks.slack.com/services/T000/B000/XXXX', 'https://hooks.slack.com/services/T000/B000/[Redacted]'],
      ['https://hooks.slack.com/workflows/T01/A02/123/abcDEF', 'https://hooks.slack.com/workflows/T01/A02/123/[Redacted]'],
      ['https://discord.com/api/webhooks/123456/tok-en_value', 'https://discord.com/api/webhooks/123456/[Redacted]'],
      ['https://acme.webhook.office.com/webhookb2/g1@g2/IncomingWebhook/abc/g3', 'https://acme.webhook.office.com/webhookb2/g1@g2/IncomingWebhook/[Redacted]/[Redacted]'],
      ['https://api.telegram.org/bot123:AAbb/sendMessage', 'https://api.telegram.org/[Redacted]/sendMessage'],
    ];
    for (const [url, expected] of cases) assert.equal(redactUrl(url), expected, url);
  });

  test('hides long high-entropy path segments anywhere, and keeps ids, UUIDs, slugs and words', () => {
    assert.equal(redactUrl('https://api.example/hooks/9f8e7d6c5b4a39281706f5e4d3c2b1a0/run'), 'https://api.example/hooks/[Redacted]/run');
    assert.equal(redactUrl('https://api.example/t/sk_live_4eC39HqLyjWDarjtT1zdp7dc'), 'https://api.example/t/[Redacted]');
    assert.equal(redactUrl('https://api.example/t/AbCdEfGhIjKlMnOpQrStUvWx'), 'https://api.example/t/[Redacted]', 'mixed case, no digit');
    const kept = 'https://api.example/users/550e8400-e29b-41d4-a716-446655440000/posts/quarterly-report-2024-final/12345678901234567890/getAllCustomerAccounts';
    assert.equal(redactUrl(kept), kept);
  });

  test('leaves other text alone', () => {
    assert.equal(redactUrl('hello world'), 'hello world');
    assert.equal(redactUrl('https://host.example/path'), 'https://host.example/path');
  });
});

describe('redactUrls', () => {
  test('redacts every URL inside a text, and nothing else', () => {
    assert.equal(
      redactUrls('GET https://a.example/x?sig=abc -> 302, then https://hooks.slack.com/services/T0/B0/zzz (3 ms)'),
      'GET https://a.example/x?sig=[Redacted] -> 302, then https://hooks.slack.com/services/T0/B0/[Redacted] (3 ms)',
    );
    assert.equal(redactUrls('no address here: 10 ms'), 'no address here: 10 ms');
  });

  test('what is already redacted comes back as it was', () => {
    const once = redactUrls('GET https://u:pw@a.example/hooks/9f8e7d6c5b4a39281706f5e4d3c2b1a0?sig=abc&page=2#frag -> 200');
    assert.equal(once, 'GET https://u:[Redacted]@a.example/hooks/[Redacted]?sig=[Redacted]&page=[Redacted]#[Redacted] -> 200');
    assert.equal(redactUrls(once), once);
  });

  test('redact applies it to every string it logs', () => {
    assert.deepEqual(redact({ msg: 'calling https://h.example/cb?code=xyz now' }), { msg: 'calling https://h.example/cb?code=[Redacted] now' });
  });
});

describe('redactSecrets', () => {
  test('replaces whole values only: a short password is not cut out of other words', () => {
    assert.equal(
      redactSecrets('is PostgreSQL listening at that host and port? password p was refused', ['p']),
      'is PostgreSQL listening at that host and port? password [Redacted] was refused',
    );
    assert.equal(redactSecrets('user "p" failed', ['p']), 'user "[Redacted]" failed');
    assert.equal(redactSecrets('p', ['p']), '[Redacted]');
  });

  test('finds values at any boundary, secrets with symbols included, longest first', () => {
    assert.equal(redactSecrets('login=s3cr3t!; again s3cr3t!', ['s3cr3t!']), 'login=[Redacted]; again [Redacted]');
    assert.equal(redactSecrets('AUTH PLAIN AHVzZXIAcHc=', ['AHVzZXIAcHc=', 'pw']), 'AUTH PLAIN [Redacted]');
    assert.equal(redactSecrets('secret and secret-longer', ['secret', 'secret-longer']), '[Redacted] and [Redacted]');
    assert.equal(redactSecrets('a.b*c (x)', ['b*c', '(x)']), 'a.[Redacted] [Redacted]', 'regular expression characters are literal');
    assert.equal(redactSecrets('unchanged', ['', 'zzz']), 'unchanged');
  });
});
