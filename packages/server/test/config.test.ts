import assert from 'node:assert/strict';
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
});
