import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { loadConfig } from '@connector-proxy/server';

describe('configuration from the environment', () => {
  test('defaults: port 8200 on every interface, 30 s outbound timeout, no key, every origin', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8200);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.httpTimeoutMs, 30_000);
    assert.ok(config.commandTimeoutMs < 45_000, 'answers before the engine gives up at 45 s');
    assert.equal(config.apiKey, undefined);
    assert.equal(config.corsOrigins, undefined);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.logFormat, undefined, 'unset: the logger picks pretty for a terminal, else JSON');
  });

  test('CONNECTOR_PROXY_LOG_FORMAT: json or pretty', () => {
    assert.equal(loadConfig({ CONNECTOR_PROXY_LOG_FORMAT: 'json' }).logFormat, 'json');
    assert.equal(loadConfig({ CONNECTOR_PROXY_LOG_FORMAT: ' pretty ' }).logFormat, 'pretty');
  });

  test('values are read and lists are split at commas', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '127.0.0.1',
      CONNECTOR_PROXY_API_KEY: 'k',
      CONNECTOR_PROXY_CORS_ORIGINS: 'https://a.example, https://b.example,',
      CONNECTOR_PROXY_HTTP_TIMEOUT_MS: '1500',
      CONNECTOR_PROXY_LOG_LEVEL: 'debug',
    });
    assert.equal(config.port, 9000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.apiKey, 'k');
    assert.deepEqual(config.corsOrigins, ['https://a.example', 'https://b.example']);
    assert.equal(config.httpTimeoutMs, 1500);
    assert.equal(config.logLevel, 'debug');
  });

  test('a bad value stops the start with a message naming the variable', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ PORT: 'eighty' }, /^PORT must be a whole number/],
      [{ PORT: '70000' }, /^PORT must be a whole number from 0 to 65535/],
      [{ CONNECTOR_PROXY_HTTP_TIMEOUT_MS: '-5' }, /^CONNECTOR_PROXY_HTTP_TIMEOUT_MS/],
      [{ CONNECTOR_PROXY_HTTP_TIMEOUT_MS: '1.5' }, /^CONNECTOR_PROXY_HTTP_TIMEOUT_MS/],
      [{ CONNECTOR_PROXY_LOG_LEVEL: 'loud' }, /^CONNECTOR_PROXY_LOG_LEVEL must be one of/],
      [{ CONNECTOR_PROXY_LOG_FORMAT: 'text' }, /^CONNECTOR_PROXY_LOG_FORMAT must be one of json, pretty \(got "text"\)$/],
    ];
    for (const [env, message] of cases) {
      assert.throws(() => loadConfig(env), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'invalid_configuration');
        assert.match(error.message, message);
        return true;
      });
    }
  });

  test('CONNECTOR_PROXY_TYPEAHEAD_DIR: unset by default (no typeahead data), else the folder as given', () => {
    assert.equal(loadConfig({}).typeaheadDir, undefined);
    assert.equal(loadConfig({ CONNECTOR_PROXY_TYPEAHEAD_DIR: ' /srv/typeahead ' }).typeaheadDir, '/srv/typeahead');
  });

  test('an API key set to the empty string refuses to start rather than run unprotected', () => {
    for (const key of ['', '   ']) {
      assert.throws(() => loadConfig({ CONNECTOR_PROXY_API_KEY: key }), /CONNECTOR_PROXY_API_KEY is set but empty/);
    }
  });

  test('CONNECTOR_PROXY_SECRET_KEY is exactly 32 bytes as canonical base64 or 64 hex digits; anything else stops the start, saying how to make one', () => {
    const bytes = randomBytes(32);
    assert.deepEqual(loadConfig({ CONNECTOR_PROXY_SECRET_KEY: bytes.toString('base64') }).jobs.secretKey, bytes);
    assert.deepEqual(loadConfig({ CONNECTOR_PROXY_SECRET_KEY: bytes.toString('hex') }).jobs.secretKey, bytes);
    assert.deepEqual(loadConfig({ CONNECTOR_PROXY_SECRET_KEY: bytes.toString('hex').toUpperCase() }).jobs.secretKey, bytes);
    assert.equal(loadConfig({}).jobs.secretKey, undefined);
    const refused = [
      'correct horse battery staple', // a passphrase: Node's lenient base64 would decode it to some bytes
      'a'.repeat(43), // 32 bytes to a lenient decoder, without padding
      `${'a'.repeat(43)}=`, // 44 characters, but not canonical (stray bits in the last character)
      bytes.toString('base64url'), // another alphabet
      bytes.toString('base64').slice(0, -1), // padding dropped
      randomBytes(31).toString('base64'),
      randomBytes(33).toString('base64'),
      bytes.toString('hex').slice(1),
      `${bytes.toString('base64')}\n${bytes.toString('base64')}`,
    ];
    for (const key of refused) {
      assert.throws(() => loadConfig({ CONNECTOR_PROXY_SECRET_KEY: key }), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'invalid_configuration', key);
        assert.match(error.message, /^CONNECTOR_PROXY_SECRET_KEY must be 32 random bytes written as base64 \(44 characters ending in "="\) or as 64 hex digits: make one with `openssl rand -base64 32`/);
        assert.match(error.message, /node -e/);
        assert.ok(!error.message.includes(key), 'the refused key is not repeated');
        return true;
      });
    }
  });

  test('background job settings: the callback key (set but empty refuses to start), callback timeout, slow-job threshold', () => {
    const config = loadConfig({
      CONNECTOR_PROXY_CALLBACK_API_KEY: 'svc-key',
      CONNECTOR_PROXY_CALLBACK_ORIGINS: 'https://spiff.example.com, http://10.0.0.5:7000/',
      CONNECTOR_PROXY_CALLBACK_TIMEOUT_MS: '2500',
      CONNECTOR_PROXY_JOB_SLOW_AFTER_MS: '750',
    });
    assert.equal(config.jobs.callbackApiKey, 'svc-key');
    assert.deepEqual(config.jobs.callbackOrigins, ['https://spiff.example.com', 'http://10.0.0.5:7000']);
    assert.equal(config.jobs.callbackTimeoutMs, 2500);
    assert.equal(config.jobs.slowAfterMs, 750);
    const defaults = loadConfig({}).jobs;
    assert.equal(defaults.callbackApiKey, undefined);
    assert.equal(defaults.callbackTimeoutMs, 30_000);
    assert.equal(defaults.slowAfterMs, 5_000);
    assert.throws(() => loadConfig({ CONNECTOR_PROXY_CALLBACK_API_KEY: ' ' }), /CONNECTOR_PROXY_CALLBACK_API_KEY is set but empty/);
    // Sent to whatever URL a caller names, the key would be anyone's: it goes only to the listed origins.
    assert.throws(() => loadConfig({ CONNECTOR_PROXY_CALLBACK_API_KEY: 'svc-key' }), /CONNECTOR_PROXY_CALLBACK_API_KEY needs CONNECTOR_PROXY_CALLBACK_ORIGINS/);
    for (const origin of ['spiff.example.com', 'ftp://spiff.example.com', 'https://spiff.example.com/v1.0', 'https://user@spiff.example.com']) {
      assert.throws(() => loadConfig({ CONNECTOR_PROXY_CALLBACK_ORIGINS: origin }), /CONNECTOR_PROXY_CALLBACK_ORIGINS has .* which is not an origin/, origin);
    }
    assert.throws(() => loadConfig({ CONNECTOR_PROXY_CALLBACK_TIMEOUT_MS: '0' }), /CONNECTOR_PROXY_CALLBACK_TIMEOUT_MS must be a whole number/);
    assert.throws(() => loadConfig({ CONNECTOR_PROXY_JOB_SLOW_AFTER_MS: 'soon' }), /CONNECTOR_PROXY_JOB_SLOW_AFTER_MS must be a whole number/);
  });
});
