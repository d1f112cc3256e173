import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildRequestTarget } from '@connector-proxy/connector-http';

describe('buildRequestTarget', () => {
  test('keeps the URL query as written and appends params', () => {
    const target = buildRequestTarget('https://api.example.com/v1/items?filter=a%2Cb&x=1#frag', { page: 2, ids: [1, 2], none: undefined });
    assert.equal(target.origin, 'https://api.example.com');
    assert.equal(target.path, '/v1/items?filter=a%2Cb&x=1&page=2&ids=1&ids=2');
    assert.equal(target.hostPort, 'api.example.com:443');
  });

  test('encodes object values as JSON and accepts an encoded query string', () => {
    assert.equal(buildRequestTarget('http://h/', { q: { a: 1 } }).path, '/?q=%7B%22a%22%3A1%7D');
    assert.equal(buildRequestTarget('http://h/p', '?a=1&b=two words').path, '/p?a=1&b=two+words');
  });

  test('names the default port and keeps credentials out of what is shown', () => {
    const target = buildRequestTarget('http://ada:s3cret@[::1]/p?api_key=k&q=1', undefined);
    assert.equal(target.hostPort, '[::1]:80');
    assert.equal(target.logUrl, 'http://[::1]/p?api_key=[Redacted]&q=[Redacted]');
    assert.deepEqual(target.urlCredentials, { username: 'ada', password: 's3cret' });
  });

  test('refuses what is not an absolute http(s) URL', () => {
    for (const url of ['file:///etc/passwd', 'ftp://h/x', 'javascript:alert(1)', 'h/x', '']) {
      assert.throws(() => buildRequestTarget(url, undefined), (error: { code?: string; message?: string }) => {
        return error.code === 'invalid_parameters' && /url/.test(error.message ?? '');
      });
    }
  });
});
