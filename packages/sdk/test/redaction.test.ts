import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isSensitiveName, redact, redactUrl } from '@connector-proxy/sdk';

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
  test('drops the password and sensitive query values', () => {
    assert.equal(redactUrl('https://user:pw@host.example/path?token=t&q=1'), 'https://user:[Redacted]@host.example/path?token=[Redacted]&q=1');
  });

  test('leaves other text alone', () => {
    assert.equal(redactUrl('hello world'), 'hello world');
    assert.equal(redactUrl('https://host.example/path?q=1'), 'https://host.example/path?q=1');
  });
});
