import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Envelope } from '@connector-proxy/sdk';
import { startAuthorizationServer, type AuthorizationServer, type IssuedTokenSet } from '../../server/test/fixtures/oauth-authorization-server.js';
import { CallbackReceiver } from '../../server/test/fixtures/callback-receiver.js';
import { CLIENT_ID, CLIENT_SECRET, startOAuthProxy, type OAuthProxy } from '../../server/test/fixtures/oauth-proxy.js';

/** The answer as the engine receives it: its text (the shape matters) and parsed. */
interface RawAnswer {
  status: number;
  text: string;
  json: Envelope & { api_response?: unknown };
}

/**
 * How SpiffArena's backend reads a connector's answer (services/service_task_delegate.py,
 * call_connector, from parsing the text to its return): which secret it overwrites and what
 * the task's result variable gets. Kept line for line, so the shapes are checked against what
 * the engine does rather than against what we think it does.
 */
function engineReading(text: string, operator: string): { stored: { name: string; value: string } | undefined; result: unknown } {
  let parsed = JSON.parse(text) as Record<string, unknown>;
  let responseText = text;
  if ('spiff__logs' in parsed && 'api_response' in parsed) {
    parsed = parsed.api_response as Record<string, unknown>;
    responseText = JSON.stringify(parsed);
  }
  if ('command_response_version' in parsed && Number(parsed.command_response_version) > 1) {
    responseText = JSON.stringify({ ...(parsed.command_response as object), operator_identifier: operator });
  }
  if (!('refreshed_token_set' in parsed)) return { stored: undefined, result: JSON.parse(responseText) };
  return { stored: { name: parsed.auth as string, value: JSON.stringify(parsed.refreshed_token_set) }, result: parsed.api_response };
}

describe('HTTP commands with an OAuth connection', () => {
  let auth: AuthorizationServer;
  let setup: OAuthProxy;

  before(async () => {
    auth = await startAuthorizationServer({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshDelayMs: 150 });
    setup = await startOAuthProxy(auth, 'https://spiff.example.com');
  });
  after(async () => {
    await setup.close();
    await auth.close();
  });

  async function call(command: string, params: Record<string, unknown>): Promise<RawAnswer> {
    const response = await fetch(`${setup.proxy.url}/v1/do/http/${command}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ spiff__task_data: {}, spiff__task_id: 't1', ...params }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return { status: response.status, text, json: JSON.parse(text) as RawAnswer['json'] };
  }

  const expired = (set: IssuedTokenSet): IssuedTokenSet => ({ ...set, expires_at: Math.floor(Date.now() / 1000) - 60 });

  test('a live token set is sent as Bearer; the answer is the usual envelope, nothing to store', async () => {
    const tokenSet = auth.issue();
    const refreshes = auth.refreshCount();
    // As SpiffArena passes a stored secret: its JSON text.
    const answer = await call('GetRequest', { url: auth.apiUrl, oauth_provider: 'local/OAuth', oauth_token_set: JSON.stringify(tokenSet) });
    assert.equal(answer.json.error, null, answer.text);
    assert.deepEqual(answer.json.command_response.body, { login: 'ada' });
    assert.equal(auth.apiTokens.at(-1), tokenSet.access_token);
    assert.equal(auth.refreshCount(), refreshes);
    assert.ok(Array.isArray(answer.json.spiff__logs));
    assert.equal('refreshed_token_set' in answer.json, false);
    assert.equal(engineReading(answer.text, 'http/GetRequest').stored, undefined);
  });

  test('an expired set is refreshed before the call; the engine stores the new set and gets the result', async () => {
    const old = expired(auth.issue());
    const seen = auth.apiTokens.length;
    const answer = await call('PostRequest', { url: auth.apiUrl, oauth_provider: 'local/OAuth', oauth_token_set: old, data: { a: 1 } });
    assert.equal(answer.status, 200);
    assert.equal(answer.json.error, null, answer.text);
    assert.equal(answer.json.auth, 'local/OAuth');
    const fresh = answer.json.refreshed_token_set as IssuedTokenSet;
    assert.notEqual(fresh.access_token, old.access_token);
    assert.notEqual(fresh.refresh_token, old.refresh_token, 'the rotated refresh token is handed on');
    assert.ok(fresh.expires_at > Date.now() / 1000);
    assert.deepEqual(auth.apiTokens.slice(seen), [fresh.access_token], 'only the fresh token was sent');
    assert.deepEqual(answer.json.api_response, answer.json.command_response);
    // What SpiffArena does with it: overwrite the secret, and use api_response as the result.
    const reading = engineReading(answer.text, 'http/PostRequest');
    assert.deepEqual(reading.stored, { name: 'local/OAuth', value: JSON.stringify(fresh) });
    assert.deepEqual((reading.result as { body: unknown }).body, { login: 'ada' });
  });

  test('a 401 from the third party makes one refresh and one more try', async () => {
    const tokenSet = auth.issue();
    auth.revokeAccessTokens();
    const seen = auth.apiTokens.length;
    const refreshes = auth.refreshCount();
    const answer = await call('GetRequest', { url: auth.apiUrl, oauth_provider: 'local/OAuth', oauth_token_set: tokenSet });
    assert.equal(answer.json.error, null, answer.text);
    assert.equal(auth.refreshCount(), refreshes + 1);
    const fresh = answer.json.refreshed_token_set as IssuedTokenSet;
    assert.deepEqual(auth.apiTokens.slice(seen), [tokenSet.access_token, fresh.access_token]);
    assert.ok(answer.json.spiff__logs === undefined, 'spiff__logs would make the engine drop the refreshed set');
    assert.equal(engineReading(answer.text, 'http/GetRequest').stored?.name, 'local/OAuth');
  });

  test('a call that fails after a refresh still hands the new set back, beside its error', async () => {
    const tokenSet = expired(auth.issue());
    const refreshes = auth.refreshCount();
    const answer = await call('GetRequest', { url: `${auth.url}/api/missing`, oauth_provider: 'local/OAuth', oauth_token_set: tokenSet });
    assert.equal(answer.json.error?.error_code, 'HttpError404');
    assert.equal(auth.refreshCount(), refreshes + 1);
    assert.equal(answer.json.auth, 'local/OAuth');
    assert.ok((answer.json.refreshed_token_set as IssuedTokenSet).access_token.startsWith('at-'));
  });

  test('concurrent calls holding the same refresh token make one refresh', async () => {
    const old = expired(auth.issue());
    const refreshes = auth.refreshCount();
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => call(i % 2 === 0 ? 'GetRequest' : 'HeadRequest', { url: auth.apiUrl, oauth_provider: 'local/OAuth', oauth_token_set: old })),
    );
    assert.equal(auth.refreshCount(), refreshes + 1);
    const sets = new Set(answers.map((answer) => JSON.stringify(answer.json.refreshed_token_set)));
    assert.equal(sets.size, 1, 'every call hands the engine the same new set');
    for (const answer of answers) assert.equal(answer.json.command_response.http_status, 200, answer.text);
    // A call that comes a moment later with the old set (the engine had not stored the new one
    // yet): the rotated-out refresh token is dead at the provider, the set refreshed a moment ago is reused.
    const late = await call('GetRequest', { url: auth.apiUrl, oauth_provider: 'local/OAuth', oauth_token_set: old });
    assert.equal(late.json.error, null, late.text);
    assert.equal(auth.refreshCount(), refreshes + 1);
    assert.deepEqual(late.json.refreshed_token_set, answers[0]?.json.refreshed_token_set);
  });

  test('a refresh the provider refuses is OAuthRefreshFailed with http_status 401, and nothing is sent', async () => {
    const tokenSet = expired(auth.issue());
    auth.revokeRefreshTokens();
    const seen = auth.apiTokens.length;
    const answer = await call('GetRequest', { url: auth.apiUrl, oauth_provider: 'local/OAuth', oauth_token_set: tokenSet });
    assert.equal(answer.status, 200);
    assert.equal(answer.json.error?.error_code, 'OAuthRefreshFailed');
    assert.equal(answer.json.command_response.http_status, 401);
    assert.match(answer.json.error?.message ?? '', /invalid_grant.*reconnect/);
    assert.equal(auth.apiTokens.length, seen);
    // A set without a refresh token, answered 401: nothing to refresh with.
    const { refresh_token: _, ...noRefresh } = auth.issue();
    auth.revokeAccessTokens();
    const unrefreshable = await call('GetRequest', { url: auth.apiUrl, oauth_provider: 'local/OAuth', oauth_token_set: noRefresh });
    assert.equal(unrefreshable.json.error?.error_code, 'OAuthRefreshFailed');
    assert.equal(unrefreshable.json.command_response.http_status, 401);
  });

  test('bad OAuth parameters are a 400 naming them, never quoting the set', async () => {
    const tokenSet = auth.issue();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ oauth_provider: 'github/OAuth', oauth_token_set: tokenSet }, /oauth_provider names no OAuth provider/],
      [{ oauth_provider: 'local/OAuth' }, /oauth_token_set is required/],
      [{ oauth_token_set: tokenSet }, /oauth_provider is required/],
      [{ oauth_provider: 'local/OAuth', oauth_token_set: `{"access_token": "${tokenSet.access_token}"` }, /oauth_token_set is text that is not JSON/],
      [{ oauth_provider: 'local/OAuth', oauth_token_set: { refresh_token: tokenSet.refresh_token } }, /oauth_token_set must be a token set/],
      [{ oauth_provider: 'local/OAuth', oauth_token_set: tokenSet, basic_auth_username: 'a', basic_auth_password: 'b' }, /cannot be combined with basic_auth/],
    ];
    const seen = auth.apiTokens.length;
    for (const [params, message] of cases) {
      const answer = await call('DeleteRequest', { url: auth.apiUrl, ...params });
      assert.equal(answer.status, 400, answer.text);
      assert.equal(answer.json.error?.error_code, 'invalid_parameters');
      assert.match(answer.json.error?.message ?? '', message);
      assert.doesNotMatch(answer.text, new RegExp(`${tokenSet.access_token}|${tokenSet.refresh_token}`));
    }
    assert.equal(auth.apiTokens.length, seen);
  });

  test('every HTTP command lists oauth_provider (str) and oauth_token_set (any)', async () => {
    const commands = (await (await fetch(`${setup.proxy.url}/v1/commands`)).json()) as Array<{ id: string; parameters: Array<{ id: string; type: string; required: boolean }> }>;
    const http = commands.filter((command) => command.id.startsWith('http/'));
    assert.equal(http.length, 12, 'the seed ids and the V2 ids');
    const listed = (command: (typeof http)[number], id: string) => {
      const { id: found, type, required } = command.parameters.find((p) => p.id === id) ?? {};
      return { id: found, type, required };
    };
    for (const command of http) {
      assert.deepEqual(listed(command, 'oauth_provider'), { id: 'oauth_provider', type: 'str', required: false }, command.id);
      assert.deepEqual(listed(command, 'oauth_token_set'), { id: 'oauth_token_set', type: 'any', required: false }, command.id);
    }
  });

  test('tokens appear in no log line, spiff__logs, metrics or /v1/jobs', async () => {
    const receiver = await CallbackReceiver.start();
    try {
      const tokenSet = expired(auth.issue());
      const sync = await call('GetRequest', { url: auth.apiUrl, oauth_provider: 'local/OAuth', oauth_token_set: tokenSet });
      const fresh = sync.json.refreshed_token_set as IssuedTokenSet;
      const background = await call('GetRequest', {
        url: auth.apiUrl,
        oauth_provider: 'local/OAuth',
        oauth_token_set: expired(auth.issue()),
        run_async: true,
        spiff__callback_url: receiver.url(),
      });
      assert.equal(background.status, 202, background.text);
      const jobId = (background.json.command_response.body as { job_id: string }).job_id;
      for (let i = 0; i < 100 && receiver.deliveries.length === 0; i++) await sleep(50);
      assert.equal(receiver.deliveries.length, 1);
      const job = await (await fetch(`${setup.proxy.url}/v1/jobs/${jobId}`)).text();
      const metrics = await (await fetch(`${setup.proxy.url}/metrics`)).text();
      const secrets = [tokenSet.access_token, tokenSet.refresh_token, fresh.access_token, fresh.refresh_token, CLIENT_SECRET];
      for (const [where, text] of Object.entries({ log: setup.logs.text, job, metrics, spiff__logs: JSON.stringify(background.json.spiff__logs) })) {
        for (const secret of secrets) assert.ok(!text.includes(secret), `a token is in ${where}`);
      }
      assert.match(setup.logs.text, /answered 401|has expired: refreshing/, 'the refresh itself is logged, without values');
    } finally {
      await receiver.close();
    }
  });
});
