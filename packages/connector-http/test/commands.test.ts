import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningProxy } from '@connector-proxy/server';
import { startHttpProxy } from './http-proxy.js';

interface Listed {
  id: string;
  description?: string;
  parameters: Array<{ id: string; type: string; required: boolean; description?: string }>;
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

  // The protocol's fields, in order (packages/server/test/command-descriptions.test.ts checks the descriptions).
  const parametersOf = (id: string) => listing.find((command) => command.id === id)?.parameters.map(({ description: _, ...listed }) => listed);

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

  test("the V2 ids list connector-http's parameters in its order (attempts on GetRequestV2 and HeadRequestV2), then the same extras", () => {
    const query = [
      seed('url', 'str', true),
      seed('headers', 'any'),
      seed('params', 'any'),
      seed('basic_auth_username'),
      seed('basic_auth_password'),
      seed('attempts', 'int'),
      seed('include_response_headers', 'bool'),
      seed('follow_redirects', 'bool'),
      seed('oauth_provider'),
      seed('oauth_token_set', 'any'),
      seed('run_async', 'bool'),
    ];
    assert.deepEqual(parametersOf('http/GetRequestV2'), query);
    assert.deepEqual(parametersOf('http/HeadRequestV2'), query);
    const body = [
      seed('url', 'str', true),
      seed('headers', 'any'),
      seed('data', 'any'),
      seed('basic_auth_username'),
      seed('basic_auth_password'),
      seed('body_format'),
      seed('include_response_headers', 'bool'),
      seed('params', 'any'),
      seed('follow_redirects', 'bool'),
      seed('oauth_provider'),
      seed('oauth_token_set', 'any'),
    ];
    const runAsync = seed('run_async', 'bool');
    assert.deepEqual(parametersOf('http/PostRequestV2'), [...body, runAsync]);
    assert.deepEqual(parametersOf('http/PatchRequestV2'), [...body, runAsync]);
    assert.deepEqual(parametersOf('http/PutRequestV2'), [...body, seed('attempts', 'int'), runAsync]);
    assert.deepEqual(parametersOf('http/DeleteRequestV2'), [...body, seed('attempts', 'int'), runAsync]);
  });

  test('each method is listed under its seed id and its V2 id, and each description says which SpiffArena reaches it', () => {
    const names = ['GetRequest', 'HeadRequest', 'PostRequest', 'PutRequest', 'PatchRequest', 'DeleteRequest'];
    assert.deepEqual(
      listing.map((command) => command.id),
      [...names, ...names.map((name) => `${name}V2`)].map((name) => `http/${name}`),
    );
    for (const name of names) {
      const seedCommand = listing.find((command) => command.id === `http/${name}`);
      const v2Command = listing.find((command) => command.id === `http/${name}V2`);
      assert.match(seedCommand?.description ?? '', new RegExp(`choose http/${name}V2`));
      assert.match(v2Command?.description ?? '', /SpiffArena 2\.1 and later send to this proxy/);
    }
  });
});
