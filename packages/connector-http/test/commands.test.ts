import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningProxy } from '@connector-proxy/server';
import { startHttpProxy } from './http-proxy.js';

interface Listed {
  id: string;
  parameters: Array<{ id: string; type: string; required: boolean }>;
}

const seed = (id: string, type = 'str', required = false) => ({ id, type, required });

describe('GET /v1/commands for the http connector', () => {
  let proxy: RunningProxy;
  let listing: Listed[];

  before(async () => {
    proxy = await startHttpProxy();
    listing = (await (await fetch(`${proxy.url}/v1/commands`)).json()) as Listed[];
  });
  after(() => proxy.close());

  const parametersOf = (id: string) => listing.find((command) => command.id === id)?.parameters;

  test('GetRequest and HeadRequest list the protocol parameters first, then the optional extras (follow_redirects before attempts), run_async last', () => {
    for (const id of ['http/GetRequest', 'http/HeadRequest']) {
      assert.deepEqual(parametersOf(id), [
        seed('url', 'str', true),
        seed('headers', 'any'),
        seed('params', 'any'),
        seed('basic_auth_username'),
        seed('basic_auth_password'),
        seed('include_response_headers', 'bool'),
        seed('follow_redirects', 'bool'),
        seed('oauth_provider'),
        seed('oauth_token_set', 'any'),
        seed('attempts', 'int'),
        seed('run_async', 'bool'),
      ]);
    }
  });

  test('the body commands list the protocol parameters first; only PUT and DELETE take attempts', () => {
    const body = [
      seed('url', 'str', true),
      seed('headers', 'any'),
      seed('data', 'any'),
      seed('body_format'),
      seed('include_response_headers', 'bool'),
      seed('basic_auth_username'),
      seed('basic_auth_password'),
      seed('params', 'any'),
      seed('follow_redirects', 'bool'),
      seed('oauth_provider'),
      seed('oauth_token_set', 'any'),
    ];
    const runAsync = seed('run_async', 'bool');
    assert.deepEqual(parametersOf('http/PostRequest'), [...body, runAsync]);
    assert.deepEqual(parametersOf('http/PatchRequest'), [...body, runAsync]);
    assert.deepEqual(parametersOf('http/PutRequest'), [...body, seed('attempts', 'int'), runAsync]);
    assert.deepEqual(parametersOf('http/DeleteRequest'), [...body, seed('attempts', 'int'), runAsync]);
  });
});
